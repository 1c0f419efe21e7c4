import { SetMetadata } from '@nestjs/common';

export const PLATFORM_ROUTE_KEY = 'orch:platform-route';

/**
 * Marks infrastructure routes (health, readiness, metrics) that every caller may reach
 * without a token. The auth guard lets exactly these through besides the access matrix.
 */
export const PlatformRoute = (): ClassDecorator & MethodDecorator => SetMetadata(PLATFORM_ROUTE_KEY, true);
