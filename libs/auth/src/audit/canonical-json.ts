// Moved to @orch/contracts so libraries that may not depend on auth (execution's idempotency
// fingerprints) share the exact same canonical form; re-exported so auth's API is unchanged.
export { canonicalJson } from '@orch/contracts';
