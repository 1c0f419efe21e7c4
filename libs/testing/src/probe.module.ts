import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { DomainError } from '@orch/contracts';
import { PlatformRoute } from '@orch/platform';

class ProbeLimits {
  @IsInt()
  @Min(1)
  max!: number;
}

export class ProbeEchoDto {
  @IsString()
  @MinLength(3)
  name!: string;

  @IsOptional()
  @IsInt()
  @Max(10)
  count?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProbeLimits)
  limits?: ProbeLimits;
}

/**
 * Routes mounted only by tests, to drive the platform's error paths inside a real app:
 * a validated DTO, an unexpected failure that mentions SQL, and a domain error with headers.
 */
@PlatformRoute()
@Controller('__probe')
class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeEchoDto): ProbeEchoDto {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "operator_secrets" does not exist: SELECT password FROM operator_secrets');
  }

  @Get('rate-limited')
  rateLimited(): never {
    throw new DomainError('RATE_LIMITED', 'Too many requests', { details: { limit: 1 }, headers: { 'retry-after': '3' } });
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
