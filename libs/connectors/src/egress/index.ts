export {
  classifyAddress,
  EgressPolicy,
  parseAllowCidrs,
  parseHostLiteral,
  type AddressClass,
  type EgressDecision,
} from './address-policy';
export { EgressBlockedError, isEgressBlockedError, type EgressBlockReason } from './egress-blocked-error';
export {
  assertUrlAllowed,
  createGuardedConnector,
  createGuardedDispatcher,
  createGuardedLookup,
  type GuardedConnectorOptions,
  type GuardedDispatcherOptions,
  type ResolveAll,
} from './guarded-dispatcher';
