import type { AddressClass } from './address-policy';

/** Why a destination was refused: the class of the address, or why no address was usable. */
export type EgressBlockReason = Exclude<AddressClass, 'public'> | 'unsupported_protocol';

/**
 * Thrown (or passed to a connect callback) when the egress guard refuses a destination.
 * No socket has been opened to a refused address. Maps to 403 `EGRESS_BLOCKED` (DESIGN §3).
 */
export class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED' as const;
  readonly status = 403 as const;

  constructor(
    /** The host as requested (DNS name or literal, as written). */
    readonly host: string,
    readonly reason: EgressBlockReason,
    /** The normalised address refused, when there was one. */
    readonly address?: string,
  ) {
    super(`egress to ${host}${address !== undefined && address !== host ? ` (${address})` : ''} blocked: ${reason}`);
    this.name = 'EgressBlockedError';
  }
}

export function isEgressBlockedError(err: unknown): err is EgressBlockedError {
  return err instanceof EgressBlockedError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EGRESS_BLOCKED');
}
