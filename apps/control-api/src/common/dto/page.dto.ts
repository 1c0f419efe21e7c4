import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from '@orch/data';

/** `?limit=&cursor=` of every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** `{data, next_cursor}`; subclasses declare `data` with its item type for OpenAPI. */
export abstract class PageResponse<T> {
  abstract data: T[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
  next_cursor!: string | null;
}

/** A repository page as the API's `{data, next_cursor}`, each item through its response mapper. */
export function toPageResponse<E, R>(page: Pick<Page<E>, 'items' | 'nextCursor'>, map: (item: E) => R): { data: R[]; next_cursor: string | null } {
  return { data: page.items.map((item) => map(item)), next_cursor: page.nextCursor };
}
