import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installAsyncResourceBind } from './async-resource-bind';

describe('installAsyncResourceBind', () => {
  beforeAll(() => {
    installAsyncResourceBind();
  });

  it('runs the bound function in the async context of the bind, not of the call', async () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('at-bind', () => AsyncResource.bind(() => storage.getStore()));
    const seen = await storage.run('at-call', async () => {
      await Promise.resolve();
      return bound();
    });
    expect(seen).toBe('at-bind');
    expect(bound()).toBe('at-bind');
  });

  it("passes the caller's this and arguments, or thisArg, and keeps fn.length", () => {
    const target = { n: 2 };
    const withCallerThis = new AsyncResource('test').bind(function (this: { n: number }, a: number, b: number) {
      return this.n + a + b;
    });
    expect(withCallerThis.call(target, 3, 4)).toBe(9);
    expect(withCallerThis.length).toBe(2);
    const withThisArg = AsyncResource.bind(function (this: { n: number }, a: number) {
      return this.n * a;
    }, 'typed', target);
    expect(withThisArg.call({ n: 100 }, 5)).toBe(10);
    expect(withThisArg.length).toBe(1);
  });

  it('throws what Node throws for a non-function, propagates errors, defines no deprecated accessor', () => {
    expect(() => AsyncResource.bind(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    const failing = AsyncResource.bind(() => {
      throw new Error('boom');
    });
    expect(() => failing()).toThrow('boom');
    expect(Object.getOwnPropertyDescriptor(failing, 'asyncResource')).toBeUndefined();
  });

  it('is idempotent', () => {
    const bind = AsyncResource.prototype.bind;
    expect(installAsyncResourceBind()).toBe(true);
    expect(AsyncResource.prototype.bind).toBe(bind);
  });
});
