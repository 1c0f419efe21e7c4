import { SchemaValidator, toFieldErrors } from './schema-validator';

describe(SchemaValidator.name, () => {
  const validator = new SchemaValidator();

  describe('validate', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'count'],
      'ui:order': ['url', 'count'],
      properties: {
        url: { type: 'string', format: 'uri' },
        count: { type: 'integer', minimum: 1 },
        mode: { enum: ['a', 'b'], default: 'a' },
        key_ref: { type: 'string', 'x-secret-ref': true },
        nested: { type: 'object', properties: { 'a/b': { type: 'string' }, token: { type: 'string', 'x-secret': true } } },
      },
    };

    it('accepts a valid document, fills defaults into a copy and leaves the input alone', () => {
      const input = { url: 'https://example.test', count: 2 };
      const result = validator.validate(schema, input);
      expect(result.errors).toEqual([]);
      expect(result.value).toEqual({ url: 'https://example.test', count: 2, mode: 'a' });
      expect(input).toEqual({ url: 'https://example.test', count: 2 });
    });

    it('reports every problem as a JSON Pointer under the base path', () => {
      const result = validator.validate(schema, { url: 'not a uri', extra: 1, nested: { 'a/b': 3 } }, '/config');
      expect(result.errors).toEqual(
        expect.arrayContaining([
          { path: '/config/url', message: 'must match format "uri"' },
          { path: '/config/count', message: 'is required' },
          { path: '/config/extra', message: 'is not allowed' },
          { path: '/config/nested/a~1b', message: 'must be string' },
        ]),
      );
      expect(result.errors).toHaveLength(4);
    });

    it('reports where fields marked x-secret-ref name a secret ref', () => {
      const result = validator.validate(schema, { url: 'https://x.test', count: 1, key_ref: 'stripe-key' }, '/config');
      expect(result.secretRefs).toEqual([{ path: '/config/key_ref', name: 'stripe-key' }]);
    });

    it('reports the kind of a discriminated union once, not every branch', () => {
      const union = {
        type: 'object',
        required: ['kind'],
        discriminator: { propertyName: 'kind' },
        oneOf: [
          { type: 'object', required: ['kind'], properties: { kind: { const: 'none' } } },
          { type: 'object', required: ['kind', 'secret_ref'], properties: { kind: { const: 'bearer' }, secret_ref: { type: 'string' } } },
        ],
      };
      expect(validator.validate(union, { kind: 'magic' }, '/auth').errors).toEqual([{ path: '/auth/kind', message: 'is not one of the known kinds' }]);
      expect(validator.validate(union, {}, '/auth').errors).toEqual([{ path: '/auth/kind', message: 'is required' }]);
      expect(validator.validate(union, { kind: 'bearer' }, '/auth').errors).toEqual([{ path: '/auth/secret_ref', message: 'is required' }]);
    });

    it('collapses a failed anyOf into one error at its location', () => {
      const either = { type: 'object', anyOf: [{ required: ['text'] }, { required: ['html'] }] };
      expect(validator.validate(either, {}, '/payload').errors).toEqual([{ path: '/payload', message: 'must match a schema in anyOf' }]);
    });
  });

  describe('checkSchema', () => {
    it('accepts a JSON Schema and refuses a malformed one with paths', () => {
      expect(validator.checkSchema({ type: 'object', properties: { a: { type: 'string' } } }, '/s')).toEqual([]);
      expect(validator.checkSchema({ type: 'banana' }, '/s')).not.toEqual([]);
      expect(validator.checkSchema({ type: 'object', frobnicate: true }, '/s')).toEqual([{ path: '/s', message: expect.stringContaining('frobnicate') }]);
      expect(validator.checkSchema('nope', '/s')).toEqual([{ path: '/s', message: 'must be a JSON Schema object' }]);
    });
  });
});

describe('toFieldErrors', () => {
  it('escapes property names in the pointer', () => {
    expect(toFieldErrors([{ keyword: 'required', instancePath: '', schemaPath: '#/required', params: { missingProperty: 'a/b~c' } }], '/x')).toEqual([{ path: '/x/a~1b~0c', message: 'is required' }]);
  });
});
