// Timeouts, backoff + jitter, circuit breaker, token bucket (DESIGN §5). Pure cores take their
// clock and randomness as parameters; the Redis* classes are the only parts doing I/O.
export * from './types';
export * from './backoff';
export * from './deadline';
export * from './circuit-breaker';
export * from './token-bucket';
export * from './redis-token-bucket';
export * from './redis-circuit-breaker';
export * from './redis-concurrency-limiter';
export * from './redis-admission';
