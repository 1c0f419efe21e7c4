import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@orch/auth';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';
import { BffConfigResponseDto, UpstreamsResponseDto } from './dto/upstreams-response.dto';
import { UpstreamsService } from './upstreams.service';

@ApiTags('bff')
@Controller('api/bff')
export class UpstreamsController {
  constructor(
    private readonly upstreams: UpstreamsService,
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  /** Settings the SPA shows: the public webhook-ingress URL. Public like the status badge; nothing secret. */
  @Get('config')
  @Access('bff.config')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: BffConfigResponseDto })
  settings(): BffConfigResponseDto {
    return { webhook_ingress_url: this.config.CONSOLE_WEBHOOK_INGRESS_URL?.replace(/\/+$/, '') ?? null };
  }

  /** Reachability of control-api and exec-api, for the console's status badge. */
  @Get('upstreams')
  @Access('bff.upstreams')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: UpstreamsResponseDto })
  status(): Promise<UpstreamsResponseDto> {
    return this.upstreams.status();
  }
}
