import { type ValidationArguments, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';

/** `<id>:<base64 of 32 bytes>`; the id names the key in every envelope it wraps. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Why a master key spec is unusable, without ever repeating the spec (it holds the key). */
export function masterKeyProblem(spec: string): string | null {
  const separator = spec.indexOf(':');
  if (separator < 0) return 'must be <id>:<base64 of 32 random bytes>';
  const id = spec.slice(0, separator);
  const encoded = spec.slice(separator + 1).trim();
  if (!KEY_ID.test(id)) return 'the key id must be 1-64 characters of A-Z a-z 0-9 . _ -';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || Buffer.from(encoded, 'base64').length !== KEY_BYTES) return 'the key must be base64 of exactly 32 bytes';
  return null;
}

export function parseMasterKey(spec: string): MasterKey {
  const problem = masterKeyProblem(spec);
  if (problem) throw new Error(`Invalid master key: ${problem}`);
  const separator = spec.indexOf(':');
  return { id: spec.slice(0, separator), key: Buffer.from(spec.slice(separator + 1).trim(), 'base64') };
}

function splitList(specs: string | undefined): string[] {
  return (specs ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The active master key (wraps new data keys) and the previous ones (still unwrap old envelopes). */
export class MasterKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    readonly active: MasterKey,
    previous: readonly MasterKey[] = [],
  ) {
    const keys = new Map<string, Buffer>();
    for (const key of [active, ...previous]) {
      const existing = keys.get(key.id);
      if (existing && !existing.equals(key.key)) throw new Error(`Master key id ${key.id} is given twice with different keys`);
      keys.set(key.id, key.key);
    }
    this.keys = keys;
  }

  /** From ORCH_MASTER_KEY and ORCH_MASTER_KEYS_PREVIOUS (comma-separated). */
  static fromEnv(activeSpec: string, previousSpecs?: string): MasterKeyring {
    return new MasterKeyring(parseMasterKey(activeSpec), splitList(previousSpecs).map(parseMasterKey));
  }

  get activeId(): string {
    return this.active.id;
  }

  get ids(): string[] {
    return [...this.keys.keys()];
  }

  keyOf(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  /** Never print key bytes, whatever logs the object. */
  toJSON(): { active: string; ids: string[] } {
    return { active: this.activeId, ids: this.ids };
  }
}

function specProblem(value: unknown): string | null {
  return typeof value === 'string' ? masterKeyProblem(value) : 'must be a string';
}

function listProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const problems = splitList(value)
    .map((spec, i) => [i + 1, masterKeyProblem(spec)] as const)
    .filter(([, problem]) => problem !== null)
    .map(([n, problem]) => `entry ${n}: ${problem}`);
  return problems.length > 0 ? problems.join('; ') : null;
}

/** Config validation of ORCH_MASTER_KEY; the message never repeats the value. */
@ValidatorConstraint({ name: 'masterKey' })
export class IsMasterKeySpec implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return specProblem(value) === null;
  }

  defaultMessage(args?: ValidationArguments): string {
    return specProblem(args?.value) ?? 'must be <id>:<base64 of 32 random bytes>';
  }
}

/** Config validation of ORCH_MASTER_KEYS_PREVIOUS: a comma-separated list of master key specs. */
@ValidatorConstraint({ name: 'masterKeyList' })
export class IsMasterKeySpecList implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return listProblem(value) === null;
  }

  defaultMessage(args?: ValidationArguments): string {
    return listProblem(args?.value) ?? 'must be a comma-separated list of <id>:<base64 of 32 bytes>';
  }
}
