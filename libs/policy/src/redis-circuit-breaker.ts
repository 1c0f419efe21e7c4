import type { Redis } from 'ioredis';
import type { BreakerAdmission, BreakerOutcome, BreakerPermit, BreakerStatus, BreakerTransition } from './circuit-breaker';
import { LUA_COMMON, defineScript, luaScript, runScript } from './lua/common';
import type { CircuitBreakerSettings, Millis } from './types';

/**
 * The breaker state machine of circuit-breaker.ts (`advanceBreaker`, `acquireBreaker`,
 * `recordBreaker`), transcribed line for line into one Lua script so read-modify-write happens
 * atomically inside Redis: however many replicas call at once, each call sees the state left by
 * the previous one, so counts are exact and every transition is reported to exactly one caller.
 * The TS functions stay the specification; redis-circuit-breaker.e2e-spec.ts replays scripted
 * sequences through both and compares every step.
 *
 * Lua functions (need `LUA_COMMON`): `breaker_config(...)` builds the settings table;
 * `breaker_step(key, mode, config, now, outcome, permit_generation)` runs one call;
 * `breaker_acquire(key, config, now)` / `breaker_record(key, config, now, outcome, permit_generation)`
 * are its two writing modes; `breaker_run(key, argv, at, clock_ms)` reads the 11 values of
 * `encodeBreakerArgs` from `argv[at..at+10]` (a now override replaces `clock_ms`).
 * Key: hash {status, generation, since, open_until, buckets, probes_admitted, probe_successes};
 * `buckets` is "start:requests:failures" joined by ",", oldest first. A missing key is a fresh
 * closed breaker (generation 0) and is only created once something changes.
 * Args: mode (acquire | record | state), window_ms, min_requests, failure_rate_threshold, open_ms,
 * half_open_probes, bucket count, idle grace ms, now override ms, outcome, permit generation.
 * The now override exists for the parity tests only: production never sends it (empty string), so
 * the clock is always Redis `TIME` (whole ms) and replicas with skewed clocks agree.
 * Returns strings: status, generation, admission (allowed | refused | ""), retry_after_ms,
 * probe (1|0), requests, failures, probes_admitted, probe_successes, since, open_until, then one
 * (from, to, at) triple per transition.
 */
export const CIRCUIT_BREAKER_LUA = `
local function breaker_config(window_ms, min_requests, threshold, open_ms, half_open_probes, bucket_count, grace_ms)
  return {window_ms = window_ms, min_requests = min_requests, threshold = threshold, open_ms = open_ms,
          probes = math.max(1, math.floor(half_open_probes)),
          width = math.max(1, math.ceil(window_ms / math.max(1, math.floor(bucket_count)))), grace_ms = grace_ms}
end
local function breaker_step(key, mode, c, now, outcome, permit_gen)
  local window_ms, min_requests, threshold, open_ms, probes, width, grace_ms = c.window_ms, c.min_requests, c.threshold, c.open_ms, c.probes, c.width, c.grace_ms
  local s
  local h = redis.call('HMGET', key, 'status', 'generation', 'since', 'open_until', 'buckets', 'probes_admitted', 'probe_successes')
  if h[1] then
    local buckets = {}
    for item in string.gmatch(h[5] or '', '[^,]+') do
      local a, r, f = string.match(item, '^([^:]+):([^:]+):([^:]+)$')
      table.insert(buckets, {tonumber(a), tonumber(r), tonumber(f)})
    end
    s = {status = h[1], generation = tonumber(h[2]), since = tonumber(h[3]), open_until = tonumber(h[4]),
         buckets = buckets, probes_admitted = tonumber(h[6]), probe_successes = tonumber(h[7])}
  else
    s = {status = 'closed', generation = 0, since = now, open_until = 0, buckets = {}, probes_admitted = 0, probe_successes = 0}
  end

  local dirty = false
  local events = {}
  local function transition(to)
    table.insert(events, s.status)
    table.insert(events, to)
    table.insert(events, fmt(now))
    local open_until = 0
    if to == 'open' then open_until = now + open_ms end
    s = {status = to, generation = s.generation + 1, since = now, open_until = open_until, buckets = {}, probes_admitted = 0, probe_successes = 0}
    dirty = true
  end

  -- advanceBreaker
  if s.status == 'open' and now >= s.open_until then transition('half_open') end
  if s.status == 'half_open' and s.probes_admitted > 0 and now - s.since >= open_ms then
    s.generation = s.generation + 1
    s.since = now
    s.probes_admitted = 0
    s.probe_successes = 0
    dirty = true
  end
  if s.status == 'closed' then
    local live = {}
    for _, b in ipairs(s.buckets) do
      if b[1] + width > now - window_ms then table.insert(live, b) end
    end
    if #live ~= #s.buckets then
      s.buckets = live
      dirty = true
    end
  end

  local admission = ''
  local retry_after = 0
  local probe = 0
  if mode == 'acquire' then
    -- acquireBreaker
    if s.status == 'closed' then
      admission = 'allowed'
    elseif s.status == 'open' then
      admission = 'refused'
      retry_after = math.max(1, s.open_until - now)
    elseif s.probes_admitted < probes then
      admission = 'allowed'
      probe = 1
      if s.probes_admitted == 0 then s.since = now end
      s.probes_admitted = s.probes_admitted + 1
      dirty = true
    else
      admission = 'refused'
      retry_after = math.max(1, s.since + open_ms - now)
    end
  elseif mode == 'record' then
    -- recordBreaker
    if permit_gen == nil or permit_gen == s.generation then
      if s.status == 'closed' then
        local start = math.floor(now / width) * width
        local bucket = nil
        for _, b in ipairs(s.buckets) do
          if b[1] == start then bucket = b end
        end
        if bucket == nil then
          bucket = {start, 0, 0}
          local at = #s.buckets + 1
          while at > 1 and s.buckets[at - 1][1] > start do at = at - 1 end
          table.insert(s.buckets, at, bucket)
        end
        bucket[2] = bucket[2] + 1
        if outcome == 'failure' then bucket[3] = bucket[3] + 1 end
        dirty = true
        local requests, failures = 0, 0
        for _, b in ipairs(s.buckets) do
          requests = requests + b[2]
          failures = failures + b[3]
        end
        if outcome == 'failure' and requests >= min_requests and requests > 0 and failures / requests >= threshold then
          transition('open')
        end
      elseif s.status == 'half_open' then
        if outcome == 'failure' then
          transition('open')
        else
          s.probe_successes = s.probe_successes + 1
          dirty = true
          if s.probe_successes >= probes then transition('closed') end
        end
      end
    end
  end

  if dirty and mode ~= 'state' then
    local encoded = {}
    for _, b in ipairs(s.buckets) do table.insert(encoded, fmt(b[1]) .. ':' .. fmt(b[2]) .. ':' .. fmt(b[3])) end
    redis.call('HSET', key, 'status', s.status, 'generation', fmt(s.generation), 'since', fmt(s.since),
      'open_until', fmt(s.open_until), 'buckets', table.concat(encoded, ','),
      'probes_admitted', fmt(s.probes_admitted), 'probe_successes', fmt(s.probe_successes))
    redis.call('PEXPIRE', key, fmt(math.max(1, math.ceil(window_ms + open_ms + grace_ms))))
  end

  local requests, failures = 0, 0
  for _, b in ipairs(s.buckets) do
    requests = requests + b[2]
    failures = failures + b[3]
  end
  local reply = {s.status, fmt(s.generation), admission, fmt(retry_after), fmt(probe), fmt(requests), fmt(failures),
    fmt(s.probes_admitted), fmt(s.probe_successes), fmt(s.since), fmt(s.open_until)}
  for _, e in ipairs(events) do table.insert(reply, e) end
  return reply
end
local function breaker_acquire(key, c, now)
  return breaker_step(key, 'acquire', c, now, '', nil)
end
local function breaker_record(key, c, now, outcome, permit_gen)
  return breaker_step(key, 'record', c, now, outcome, permit_gen)
end
local function breaker_run(key, argv, at, clock_ms)
  local c = breaker_config(tonumber(argv[at + 1]), tonumber(argv[at + 2]), tonumber(argv[at + 3]), tonumber(argv[at + 4]),
    tonumber(argv[at + 5]), tonumber(argv[at + 6]), tonumber(argv[at + 7]))
  local now = clock_ms
  if argv[at + 8] ~= '' then now = tonumber(argv[at + 8]) end
  local permit_gen = nil
  if argv[at + 10] ~= '' then permit_gen = tonumber(argv[at + 10]) end
  return breaker_step(key, argv[at], c, now, argv[at + 9], permit_gen)
end
`;

/** The standalone script: KEYS[1] the breaker hash, ARGV as `encodeBreakerArgs`; returns `breaker_step`'s reply. */
export const CIRCUIT_BREAKER_SCRIPT = luaScript(
  LUA_COMMON,
  CIRCUIT_BREAKER_LUA,
  `
local _, now = redis_clock()
return breaker_run(KEYS[1], ARGV, 1, now)
`,
);

const SCRIPT = defineScript(CIRCUIT_BREAKER_SCRIPT);
const DEFAULT_BUCKETS = 10;
const DEFAULT_IDLE_GRACE_MS = 60_000;
const REPLY_HEAD = 11;

/** The part of an ioredis client the store uses (a `Redis`; tests may pass a fake). */
export type BreakerStoreRedis = Pick<Redis, 'evalsha' | 'eval'>;

export type BreakerScriptMode = 'acquire' | 'record' | 'state';

export interface RedisCircuitBreakerStoreOptions {
  /** Prepended to every caller key (after the client's own ioredis `keyPrefix`). Default `policy:breaker:`. */
  namespace?: string;
  /** Slices of the rolling window, as `BreakerOptions.buckets` (default 10). */
  buckets?: number;
  /** Key TTL = `window_ms + open_ms + idleGraceMs`, refreshed on every write (default 60 s). */
  idleGraceMs?: number;
  /**
   * TESTS ONLY: when set, its value is sent to the script as "now" instead of Redis `TIME`, so the
   * parity tests can drive the store and the pure breaker with one scripted clock. Production
   * leaves it unset: Redis server time is then the only clock.
   */
  nowOverride?: () => Millis;
}

export interface BreakerAcquireResult {
  admission: BreakerAdmission;
  status: BreakerStatus;
  transitions: BreakerTransition[];
}

export interface BreakerRecordResult {
  status: BreakerStatus;
  transitions: BreakerTransition[];
}

/** Read-only view of one breaker (metrics, console), as the next call would find it. */
export interface BreakerView {
  status: BreakerStatus;
  generation: number;
  /** Calls and failures in the rolling window (closed only; 0 otherwise). */
  requests: number;
  failures: number;
  /** Half-open: probes admitted / succeeded in this generation. */
  probesAdmitted: number;
  probeSuccesses: number;
  /** When the current status was entered (for a breaker with no key: now). */
  since: Millis;
  /** Open: when probing may start; 0 otherwise. */
  openUntil: Millis;
}

/** Decoded script reply: the view after the call, the admission (acquire only) and transitions. */
export interface BreakerScriptResult {
  view: BreakerView;
  admission: BreakerAdmission | undefined;
  transitions: BreakerTransition[];
}

export interface BreakerScriptInput {
  mode: BreakerScriptMode;
  settings: CircuitBreakerSettings;
  buckets: number;
  idleGraceMs: number;
  nowMs?: Millis;
  outcome?: BreakerOutcome;
  permit?: BreakerPermit;
}

const SETTING_NAMES = ['window_ms', 'min_requests', 'failure_rate_threshold', 'open_ms', 'half_open_probes'] as const;

/** ARGV for `CIRCUIT_BREAKER_SCRIPT`; refuses non-finite numbers, which Lua cannot parse back. */
export function encodeBreakerArgs(input: BreakerScriptInput): string[] {
  for (const name of SETTING_NAMES) {
    if (!Number.isFinite(input.settings[name])) throw new RangeError(`circuit breaker: ${name} must be a finite number`);
  }
  if (input.nowMs !== undefined && !Number.isFinite(input.nowMs)) throw new RangeError('circuit breaker: now override must be finite');
  if (input.permit !== undefined && !Number.isInteger(input.permit.generation)) throw new RangeError('circuit breaker: permit generation must be an integer');
  const { settings } = input;
  return [
    input.mode,
    String(settings.window_ms),
    String(settings.min_requests),
    String(settings.failure_rate_threshold),
    String(settings.open_ms),
    String(settings.half_open_probes),
    String(Math.max(1, Math.floor(input.buckets))),
    String(Math.max(0, input.idleGraceMs)),
    input.nowMs === undefined ? '' : String(input.nowMs),
    input.outcome ?? '',
    input.permit === undefined ? '' : String(input.permit.generation),
  ];
}

function isStatus(value: string): value is BreakerStatus {
  return value === 'closed' || value === 'open' || value === 'half_open';
}

function toStatus(value: unknown): BreakerStatus {
  const text = String(value);
  if (!isStatus(text)) throw new Error(`circuit breaker script: unexpected status ${text}`);
  return text;
}

/** Parses the script reply (see `CIRCUIT_BREAKER_SCRIPT`). */
export function decodeBreakerReply(reply: unknown): BreakerScriptResult {
  if (!Array.isArray(reply) || reply.length < REPLY_HEAD || (reply.length - REPLY_HEAD) % 3 !== 0) {
    throw new Error('circuit breaker script: unexpected reply');
  }
  const fields: unknown[] = reply;
  const num = (i: number): number => {
    const value = Number(fields[i]);
    if (!Number.isFinite(value)) throw new Error(`circuit breaker script: field ${i} is not a number`);
    return value;
  };
  const generation = num(1);
  const probe = num(4) === 1;
  const view: BreakerView = {
    status: toStatus(fields[0]),
    generation,
    requests: num(5),
    failures: num(6),
    probesAdmitted: num(7),
    probeSuccesses: num(8),
    since: num(9),
    openUntil: num(10),
  };
  let admission: BreakerAdmission | undefined;
  const kind = String(fields[2]);
  if (kind === 'allowed') admission = { allowed: true, permit: { generation, probe } };
  else if (kind === 'refused') admission = { allowed: false, retryAfterMs: num(3) };
  else if (kind !== '') throw new Error(`circuit breaker script: unexpected admission ${kind}`);
  const transitions: BreakerTransition[] = [];
  for (let i = REPLY_HEAD; i < fields.length; i += 3) {
    transitions.push({ from: toStatus(fields[i]), to: toStatus(fields[i + 1]), at: num(i + 2) });
  }
  return { view, admission, transitions };
}

/** Options with their defaults applied (shared with `RedisAdmission`, so both address the same keys). */
export function resolveBreakerStoreOptions(
  options: RedisCircuitBreakerStoreOptions = {},
): Required<Omit<RedisCircuitBreakerStoreOptions, 'nowOverride'>> & Pick<RedisCircuitBreakerStoreOptions, 'nowOverride'> {
  return {
    namespace: options.namespace ?? 'policy:breaker:',
    buckets: Math.max(1, Math.floor(options.buckets ?? DEFAULT_BUCKETS)),
    idleGraceMs: Math.max(0, Math.floor(options.idleGraceMs ?? DEFAULT_IDLE_GRACE_MS)),
    nowOverride: options.nowOverride,
  };
}

/**
 * Circuit breakers shared by every replica through Redis, one per caller key (the execution layer
 * uses `<workspaceId>:<connectorId>`). Each operation is one script run (EVALSHA; EVAL on
 * NOSCRIPT, which also caches it again), so concurrent callers never lose an update and each
 * transition is returned to exactly one caller. Same semantics as the pure `CircuitBreaker`.
 */
export class RedisCircuitBreakerStore {
  private readonly namespace: string;
  private readonly buckets: number;
  private readonly idleGraceMs: number;
  private readonly nowOverride: (() => Millis) | undefined;

  constructor(
    private readonly redis: BreakerStoreRedis,
    options: RedisCircuitBreakerStoreOptions = {},
  ) {
    ({ namespace: this.namespace, buckets: this.buckets, idleGraceMs: this.idleGraceMs, nowOverride: this.nowOverride } = resolveBreakerStoreOptions(options));
  }

  /** The Redis key (before the client's keyPrefix) holding `key`'s breaker. */
  redisKey(key: string): string {
    return `${this.namespace}${key}`;
  }

  /** Admits a call (with a permit to hand back to `record`) or refuses it with a retry delay. */
  async acquire(key: string, settings: CircuitBreakerSettings): Promise<BreakerAcquireResult> {
    const result = await this.run(key, { mode: 'acquire', settings });
    if (result.admission === undefined) throw new Error('circuit breaker script: acquire without admission');
    return { admission: result.admission, status: result.view.status, transitions: result.transitions };
  }

  /** Records the outcome of a call admitted by `acquire`; outcomes of an older generation change nothing. */
  async record(key: string, settings: CircuitBreakerSettings, outcome: BreakerOutcome, permit: BreakerPermit): Promise<BreakerRecordResult> {
    const result = await this.run(key, { mode: 'record', settings, outcome, permit });
    return { status: result.view.status, transitions: result.transitions };
  }

  /**
   * Read-only: the breaker as the next call would find it (time-driven changes applied but not
   * written, so their transitions are still reported to the next acquire/record).
   */
  async state(key: string, settings: CircuitBreakerSettings): Promise<BreakerView> {
    return (await this.run(key, { mode: 'state', settings })).view;
  }

  private async run(key: string, input: Omit<BreakerScriptInput, 'buckets' | 'idleGraceMs' | 'nowMs'>): Promise<BreakerScriptResult> {
    const args = encodeBreakerArgs({ ...input, buckets: this.buckets, idleGraceMs: this.idleGraceMs, nowMs: this.nowOverride?.() });
    const reply = await runScript(this.redis, SCRIPT, [this.redisKey(key)], args);
    return decodeBreakerReply(reply);
  }
}
