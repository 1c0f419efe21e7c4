import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@orch/contracts';
import { ReadinessRegistry, type ReadinessResult } from './readiness.registry';
import { PlatformRoute } from '../http/platform-route.decorator';

@ApiTags('health')
@PlatformRoute()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  /** Liveness: the process answers. Never touches a dependency. */
  @Get('health')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is alive' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every registered dependency answered in time. */
  @Get('ready')
  @ApiOkResponse({ description: 'All dependencies reachable' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down (UNAVAILABLE envelope, checks in details)' })
  async ready(): Promise<ReadinessResult> {
    const result = await this.readiness.run();
    if (!result.ready) throw new DomainError('UNAVAILABLE', 'A dependency is not reachable', { details: result.checks });
    return result;
  }
}
