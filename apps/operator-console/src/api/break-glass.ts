import type { ApiClient } from './client';
import { controlPath } from './paths';

/** GET /v1/auth/me, the fields the access page needs. */
export interface OperatorMe {
  id: string;
  email: string;
  roles: string[];
  break_glass_active: boolean;
}

export interface BreakGlassActivation {
  activation_id: string;
  expires_at: string;
}

/** At most one hour (control-api: ttl_seconds 1–3600). */
export const BREAK_GLASS_MAX_MINUTES = 60;

export function fetchOperatorMe(client: ApiClient, signal?: AbortSignal): Promise<OperatorMe> {
  return client.request<OperatorMe>(controlPath('/v1/auth/me'), { signal });
}

/** POST /v1/break-glass/activate: BreakGlassAdmin only; audited before the powers are granted, cannot be ended early. */
export function activateBreakGlass(client: ApiClient, body: { ttl_seconds?: number }, reason: string): Promise<BreakGlassActivation> {
  return client.request<BreakGlassActivation>(controlPath('/v1/break-glass/activate'), { method: 'POST', body, reason });
}
