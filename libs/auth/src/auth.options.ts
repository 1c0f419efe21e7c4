export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');

export type AuthMode = 'enabled' | 'disabled';

export interface AuthOptions {
  mode: AuthMode;
}
