import type { JsonSchema } from '../connector-type';

/** Names of secret refs: what the secret_refs table holds in `name`. */
export const SECRET_REF_NAME_SCHEMA: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  'x-secret-ref': true,
  description: 'Name of a secret ref of this workspace (never the secret itself)',
};

export const STRING_MAP_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: { type: 'string', maxLength: 8192 },
  maxProperties: 50,
};

/** Output of operations whose result is the upstream's JSON as is. */
export const ANY_OBJECT_SCHEMA: JsonSchema = { type: 'object' };
