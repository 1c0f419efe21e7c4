import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service';
import { PlatformRoute } from '../http/platform-route.decorator';

@ApiExcludeController()
@PlatformRoute()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.metrics.registry.metrics();
    // Nest would send text/plain without the exposition-format version; Prometheus wants it.
    await reply.header('content-type', this.metrics.registry.contentType).send(body);
  }
}
