import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@orch/platform';
import type { ConsoleConfig } from '../config';
import type { UpstreamsResponseDto } from './dto/upstreams-response.dto';
import { probeUpstream } from './upstream-probe';

@Injectable()
export class UpstreamsService {
  constructor(@Inject(APP_CONFIG) private readonly config: ConsoleConfig) {}

  /** Probes both APIs in parallel, so the answer takes at most one timeout. */
  async status(): Promise<UpstreamsResponseDto> {
    const [controlApi, execApi] = await Promise.all([probeUpstream(this.config.CONTROL_API_URL), probeUpstream(this.config.EXEC_API_URL)]);
    return { control_api: controlApi, exec_api: execApi };
  }
}
