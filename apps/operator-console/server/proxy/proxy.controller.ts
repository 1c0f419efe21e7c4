import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '@orch/auth';
import { APP_CONFIG } from '@orch/platform';
import { type ConsoleConfig, cookieSecure } from '../config';
import { clearCookieOnUnauthenticated } from '../session/clear-cookie-on-401';
import { ProxyService, type ProxyTarget } from './proxy.service';

async function forwarding(proxy: ProxyService, secure: boolean, target: ProxyTarget, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    await proxy.forward(target, request, reply);
  } catch (error) {
    clearCookieOnUnauthenticated(error, reply, secure);
    throw error;
  }
}

/** `/api/control/*` → control-api `/*`, with the operator's token (docs/02_api_contracts.md, BFF). */
@ApiExcludeController()
@Controller('api/control')
export class ControlProxyController {
  constructor(
    private readonly proxy: ProxyService,
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @All('*')
  @Access('bff.proxy.control')
  forward(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return forwarding(this.proxy, cookieSecure(this.config), 'control', request, reply);
  }
}

/** `/api/exec/*` → exec-api `/*`, with the running impersonation's exec token. */
@ApiExcludeController()
@Controller('api/exec')
export class ExecProxyController {
  constructor(
    private readonly proxy: ProxyService,
    @Inject(APP_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @All('*')
  @Access('bff.proxy.exec')
  forward(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return forwarding(this.proxy, cookieSecure(this.config), 'exec', request, reply);
  }
}
