import { AsyncResource } from 'node:async_hooks';

const INSTALLED = Symbol.for('orch.platform.asyncResourceBind');

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => (...args: unknown[]) => unknown;

function bindTo(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown): (...args: unknown[]) => unknown {
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
  Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
  return bound;
}

/**
 * Node 20's `AsyncResource.prototype.bind` (used per request by Fastify's body parsing and by
 * every Nest interceptor) defines a deprecated `asyncResource` accessor on each bound function
 * with two `util.deprecate()` wrappers: ≈ 17 µs per call, three calls per request (D67). This
 * replaces it, on a Node whose bind still does that, with the same binding minus that accessor
 * (DEP0172: nothing may read it). The bound function runs `fn` in the resource's async scope
 * with the caller's `this` (or `thisArg`), and keeps `fn.length`; a non-function still gets
 * Node's own error. Idempotent.
 */
export function installAsyncResourceBind(): boolean {
  const proto = AsyncResource.prototype as AsyncResource & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return true;
  const original = proto.bind as unknown as Bind;
  if (!original.toString().includes('DEP0172')) return false;
  const bind: Bind = function bind(fn, thisArg) {
    if (typeof fn !== 'function') return original.call(this, fn, thisArg);
    return bindTo(this, fn, thisArg);
  };
  Object.defineProperty(proto, 'bind', { value: bind, configurable: true, writable: true, enumerable: false });
  Object.defineProperty(proto, INSTALLED, { value: true });
  return true;
}
