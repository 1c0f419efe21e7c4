// Timeouts, backoff + jitter, circuit breaker, token bucket, quotas.
