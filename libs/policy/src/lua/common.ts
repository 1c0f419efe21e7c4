import { createHash } from 'node:crypto';

/**
 * Lua building blocks shared by every policy script. Each `*_LUA` constant in this library is a
 * set of `local function` definitions (no top-level statements), so a script is a concatenation
 * of the snippets it needs plus a small main; the combined admission scripts reuse exactly the
 * functions the standalone scripts run. Snippets must be concatenated in dependency order
 * (`LUA_COMMON` first).
 */

/**
 * `fmt(x)`: a number as a string Redis/JS parse back exactly (`%.17g`).
 * `redis_clock()`: one `TIME` call → (fractional ms, whole ms). The token bucket uses the
 * fractional value, the breaker and the lease limiter whole ms (as they always have).
 */
export const LUA_COMMON = `
local function fmt(x) return string.format('%.17g', x) end
local function redis_clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** Joins snippets and a main body into one script (trimmed, one snippet per block). */
export function luaScript(...parts: string[]): string {
  return `${parts.map((part) => part.trim()).join('\n')}\n`;
}

/** The part of an ioredis client a script runner needs (a `Redis`; tests may pass a fake). */
export interface ScriptRedis {
  evalsha(sha1: string, numkeys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
}

/** A script with its SHA-1, computed once. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function defineScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * EVALSHA; on NOSCRIPT (restarted or flushed server) EVAL, which also caches the script again.
 * Any other error is passed through.
 */
export async function runScript(redis: ScriptRedis, script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
