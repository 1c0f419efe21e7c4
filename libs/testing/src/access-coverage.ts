import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ACCESS_RULE_KEY, ACCESS_RULES, type AccessRuleName } from '@orch/auth';
import { PLATFORM_ROUTE_KEY } from '@orch/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface RouteAccess {
  route: string;
  handler: string;
  rule: AccessRuleName | 'platform' | undefined;
}

function joinPath(...parts: Array<string | string[] | undefined>): string {
  const segments = parts.flatMap((p) => (Array.isArray(p) ? p[0] : p) ?? '').join('/');
  return ('/' + segments).replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/** Every routed handler of an app with the access decision it carries (none = undefined). */
export function routeAccessOf(app: NestFastifyApplication): RouteAccess[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const out: RouteAccess[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    const classPath = Reflect.getMetadata(PATH_METADATA, wrapper.metatype) as string | string[] | undefined;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPath === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const platform = reflector.getAllAndOverride<boolean>(PLATFORM_ROUTE_KEY, [handler, wrapper.metatype]);
      const rule = reflector.getAllAndOverride<AccessRuleName | undefined>(ACCESS_RULE_KEY, [handler, wrapper.metatype]);
      out.push({ route: `${method} ${joinPath(classPath, methodPath)}`, handler: `${wrapper.metatype.name}.${name}`, rule: platform ? 'platform' : rule });
    }
  }
  return out;
}

/**
 * The guard fails closed on a handler without an access rule; this makes the omission a test
 * failure instead, and checks that each rule's documented route is the route it guards.
 */
export function expectEveryRouteHasAnAccessDecision(app: NestFastifyApplication): void {
  const routes = routeAccessOf(app);
  expect(routes.length).toBeGreaterThan(0);
  const missing = routes.filter((r) => r.rule === undefined).map((r) => `${r.route} (${r.handler})`);
  expect(missing).toEqual([]);
  const mismatched = routes
    .filter((r): r is RouteAccess & { rule: AccessRuleName } => r.rule !== undefined && r.rule !== 'platform')
    .filter((r) => ACCESS_RULES[r.rule].route !== r.route)
    .map((r) => `${r.handler}: rule ${r.rule} says "${ACCESS_RULES[r.rule].route}", handler is "${r.route}"`);
  expect(mismatched).toEqual([]);
}
