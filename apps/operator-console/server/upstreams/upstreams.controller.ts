import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@orch/auth';
import { UpstreamsResponseDto } from './dto/upstreams-response.dto';
import { UpstreamsService } from './upstreams.service';

@ApiTags('bff')
@Controller('api/bff')
export class UpstreamsController {
  constructor(private readonly upstreams: UpstreamsService) {}

  /** Reachability of control-api and exec-api, for the console's status badge. */
  @Get('upstreams')
  @Access('bff.upstreams')
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: UpstreamsResponseDto })
  status(): Promise<UpstreamsResponseDto> {
    return this.upstreams.status();
  }
}
