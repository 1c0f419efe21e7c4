import { type OutputUnit, type Schema, Validator } from '@cfworker/json-schema';
import {
  createErrorHandler,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  toErrorSchema,
  type UiSchema,
  unwrapErrorHandler,
  type ValidationData,
  validationDataMerge,
  type ValidatorType,
} from '@rjsf/utils';

/**
 * The rjsf validator of the console. `@rjsf/validator-ajv8` compiles schemas with `new Function`,
 * which the console's CSP (`script-src 'self'`, no 'unsafe-eval') forbids; this one interprets the
 * schema (@cfworker/json-schema) and needs no eval. The API still validates every body with ajv —
 * the form only saves a round trip (DESIGN §5: one schema, validated on both sides).
 */

/** Keywords that only summarise errors found below them; their children carry the message. */
const SUMMARY_KEYWORDS = new Set(['properties', 'items', 'prefixItems', 'additionalProperties', 'allOf', '$ref', 'unevaluatedProperties', 'dependentSchemas', 'then', 'else', 'if']);

const validators = new WeakMap<object, Validator>();

function validatorFor(schema: RJSFSchema, rootSchema?: RJSFSchema): Validator {
  const key = schema as object;
  let validator = validators.get(key);
  if (!validator) {
    const withDefinitions: Schema = { ...(rootSchema?.definitions ? { definitions: rootSchema.definitions } : {}), ...(rootSchema?.$defs ? { $defs: rootSchema.$defs } : {}), ...(schema as Schema) };
    validator = new Validator(withDefinitions, '2019-09', false);
    validators.set(key, validator);
  }
  return validator;
}

/** `#/a/0/b` → `.a.0.b` (rjsf's property notation). */
function propertyOf(instanceLocation: string): string {
  const pointer = instanceLocation.replace(/^#/, '');
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => `.${segment.replace(/~1/g, '/').replace(/~0/g, '~')}`)
    .join('');
}

const REQUIRED_MESSAGE = /required property "([^"]+)"/;

export function toRjsfErrors(units: readonly OutputUnit[]): RJSFValidationError[] {
  const errors: RJSFValidationError[] = [];
  for (const unit of units) {
    if (SUMMARY_KEYWORDS.has(unit.keyword)) continue;
    let property = propertyOf(unit.instanceLocation);
    let message = unit.error.replace(/^Instance /, 'must ').replace(/\.$/, '');
    if (unit.keyword === 'required') {
      const missing = REQUIRED_MESSAGE.exec(unit.error)?.[1];
      if (missing) {
        property = `${property}.${missing}`;
        message = 'is a required property';
      }
    }
    errors.push({ name: unit.keyword, property, message, stack: `${property} ${message}`.trim(), schemaPath: unit.keywordLocation });
  }
  return errors;
}

class CspSafeValidator implements ValidatorType {
  validateFormData(formData: unknown, schema: RJSFSchema, customValidate?: CustomValidator, transformErrors?: ErrorTransformer, uiSchema?: UiSchema): ValidationData<unknown> {
    const result = validatorFor(schema, schema).validate(formData === undefined ? {} : formData);
    let errors = toRjsfErrors(result.errors);
    if (typeof transformErrors === 'function') errors = transformErrors(errors, uiSchema);
    let data: ValidationData<unknown> = { errors, errorSchema: toErrorSchema(errors) };
    if (typeof customValidate === 'function') {
      const handler = customValidate(formData, createErrorHandler(formData), uiSchema);
      data = validationDataMerge(data, unwrapErrorHandler(handler));
    }
    return data;
  }

  isValid(schema: RJSFSchema, formData: unknown, rootSchema: RJSFSchema): boolean {
    try {
      return validatorFor(schema, rootSchema).validate(formData).valid;
    } catch {
      return false;
    }
  }

  rawValidation<Result = unknown>(schema: RJSFSchema, formData?: unknown): { errors?: Result[]; validationError?: Error } {
    try {
      const result = validatorFor(schema, schema).validate(formData);
      return { errors: result.errors as unknown as Result[] };
    } catch (error) {
      return { validationError: error as Error };
    }
  }
}

export const cspSafeValidator: ValidatorType = new CspSafeValidator();
