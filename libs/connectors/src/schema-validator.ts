import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type FieldError, toJsonPointer } from '@orch/contracts';
import type { JsonSchema } from './connector-type';

/** Annotation keywords of connector schemas: meaning for the console, no effect on validation. */
export const SCHEMA_ANNOTATION_KEYWORDS = ['x-secret', 'ui:order', 'ui:widget', 'ui:placeholder', 'ui:help', 'ui:title', 'ui:description', 'ui:options'] as const;

/** Marks a field whose value names a secret ref of the workspace; the validator reports where each one is. */
export const SECRET_REF_KEYWORD = 'x-secret-ref';

export interface SecretRefUse {
  /** JSON Pointer of the field, under the validation's base path. */
  path: string;
  name: string;
}

export interface SchemaValidation<T = unknown> {
  errors: FieldError[];
  /** A copy of the input with the schema's defaults filled in (the input is never changed). */
  value: T;
  /** Fields marked `x-secret-ref` that hold a name. */
  secretRefs: SecretRefUse[];
}

/**
 * The one JSON Schema validator (ajv, draft 2020-12) used by the API, and later the console,
 * for connector configs and operation payloads. Errors come back as FieldError: a JSON Pointer
 * into the validated document under `basePath` (e.g. `/config/base_url`) and a message.
 */
export class SchemaValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();
  /** Filled by the x-secret-ref keyword during one (synchronous) validate call. */
  private collecting: SecretRefUse[] | null = null;

  constructor() {
    this.ajv = new Ajv2020({
      allErrors: true,
      useDefaults: true,
      discriminator: true,
      strictSchema: true,
      strictNumbers: true,
      // Branches of anyOf/oneOf legitimately name properties their parent types.
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    });
    addFormats(this.ajv);
    for (const keyword of SCHEMA_ANNOTATION_KEYWORDS) this.ajv.addKeyword({ keyword });
    this.ajv.addKeyword({
      keyword: SECRET_REF_KEYWORD,
      schemaType: 'boolean',
      errors: false,
      validate: (marked: boolean, data: unknown, _parent: unknown, dataCxt?: { instancePath: string }) => {
        if (marked && typeof data === 'string' && this.collecting && dataCxt) this.collecting.push({ path: dataCxt.instancePath, name: data });
        return true;
      },
    });
  }

  validate<T = unknown>(schema: JsonSchema, data: unknown, basePath = ''): SchemaValidation<T> {
    const validateFn = this.compile(schema);
    const value = structuredClone(data) as T;
    const refs: SecretRefUse[] = [];
    this.collecting = refs;
    let valid: boolean;
    try {
      valid = validateFn(value) as boolean;
    } finally {
      this.collecting = null;
    }
    const errors = valid ? [] : toFieldErrors(validateFn.errors ?? [], basePath);
    return { errors, value, secretRefs: dedupe(refs).map((ref) => ({ path: basePath + ref.path, name: ref.name })) };
  }

  /** Problems of a schema given as data (e.g. an http operation's payload_schema), against the draft's meta-schema. */
  checkSchema(schema: unknown, basePath = ''): FieldError[] {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [{ path: basePath, message: 'must be a JSON Schema object' }];
    if (this.ajv.validateSchema(schema) as boolean) {
      try {
        // Compiles without caching: unknown keywords and bad references only show up here.
        this.ajv.compile(schema);
        return [];
      } catch (error) {
        return [{ path: basePath, message: `is not a usable JSON Schema: ${(error as Error).message}` }];
      }
    }
    return toFieldErrors(this.ajv.errors ?? [], basePath);
  }

  private compile(schema: JsonSchema): ValidateFunction {
    let validateFn = this.compiled.get(schema);
    if (!validateFn) {
      validateFn = this.ajv.compile(schema);
      this.compiled.set(schema, validateFn);
    }
    return validateFn;
  }
}

/** ajv errors → FieldError: the pointer names the offending field itself (a missing or extra one too). */
export function toFieldErrors(errors: readonly ErrorObject[], basePath = ''): FieldError[] {
  // A failed anyOf/oneOf reports once, not with every branch's complaints.
  const combinators = errors.filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf').map((error) => `${error.schemaPath}/`);
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (combinators.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const field = toFieldError(error, basePath);
    const key = `${field.path}\u0000${field.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(field);
    }
  }
  return out;
}

function toFieldError(error: ErrorObject, basePath: string): FieldError {
  const at = basePath + error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: at + toJsonPointer([String(params['missingProperty'])]), message: 'is required' };
    case 'dependentRequired':
      return { path: at + toJsonPointer([String(params['missingProperty'])]), message: `is required when ${String(params['property'])} is set` };
    case 'additionalProperties':
      return { path: at + toJsonPointer([String(params['additionalProperty'])]), message: 'is not allowed' };
    case 'discriminator': {
      const tag = String(params['tag']);
      return params['error'] === 'tag' ? { path: at + toJsonPointer([tag]), message: 'is required' } : { path: at + toJsonPointer([tag]), message: 'is not one of the known kinds' };
    }
    default:
      return { path: at, message: error.message ?? 'is invalid' };
  }
}

function dedupe(refs: SecretRefUse[]): SecretRefUse[] {
  const seen = new Set<string>();
  return refs.filter((ref) => (seen.has(ref.path) ? false : (seen.add(ref.path), true)));
}
