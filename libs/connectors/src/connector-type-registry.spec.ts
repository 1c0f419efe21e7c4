import { validateConnectorConfig } from './connector-config';
import { ConnectorTypeRegistry } from './connector-type-registry';
import { SchemaValidator } from './schema-validator';

describe(ConnectorTypeRegistry.name, () => {
  const registry = new ConnectorTypeRegistry();
  const validator = new SchemaValidator();
  const type = (name: string) => {
    const definition = registry.get(name);
    if (!definition) throw new Error(`no ${name}`);
    return definition;
  };

  describe('list', () => {
    it('holds the four built-ins, each with schemas and (but http) fixed operations', () => {
      expect(registry.list().map((d) => d.type)).toEqual(['http', 'stripe', 'smtp', 's3']);
      for (const definition of registry.list()) {
        expect(definition.config_schema).toMatchObject({ type: 'object' });
        expect(definition.secret_schema).toMatchObject({ type: 'object' });
        expect(definition.operations_from_config).toBe(definition.type === 'http');
        if (definition.type !== 'http') expect(definition.operations.length).toBeGreaterThan(0);
        for (const operation of definition.operations) {
          expect(validator.checkSchema(operation.payload_schema)).toEqual([]);
          expect(validator.checkSchema(operation.output_schema)).toEqual([]);
        }
        expect(validator.checkSchema(definition.config_schema)).toEqual([]);
      }
      expect(type('stripe').webhook_verification).toBe('stripe');
      expect(type('stripe').operations.map((o) => o.operation_id)).toEqual(['create_payment_intent', 'retrieve_payment_intent', 'create_refund']);
      expect(type('s3').operations.map((o) => o.operation_id)).toEqual(['put_object', 'get_object', 'delete_object']);
      expect(type('smtp').operations.map((o) => o.operation_id)).toEqual(['send_email']);
    });

    it('shares frozen definitions', () => {
      expect(Object.isFrozen(type('http').config_schema)).toBe(true);
    });

    it('refuses a type defined twice', () => {
      expect(() => new ConnectorTypeRegistry([type('http'), type('http')])).toThrow('defined twice');
    });
  });

  describe('get', () => {
    it('answers undefined for an unknown type', () => {
      expect(registry.get('ftp')).toBeUndefined();
    });
  });

  describe('operationsOf', () => {
    it('takes http operations from the config, with method, path template and headers', () => {
      const operations = registry.operationsOf(type('http'), {
        base_url: 'https://api.example.test',
        operations: [{ operation_id: 'get_user', method: 'GET', path: '/users/{id}', headers: { accept: 'application/json' } }],
      });
      expect(operations).toEqual([
        { operation_id: 'get_user', title: 'get_user', payload_schema: { type: 'object' }, output_schema: { type: 'object' }, http: { method: 'GET', path_template: '/users/{id}', headers: { accept: 'application/json' } } },
      ]);
    });

    it('gives the fixed operations of the other types whatever the config says', () => {
      expect(registry.operationsOf(type('smtp'), { operations: [{ operation_id: 'x' }] }).map((o) => o.operation_id)).toEqual(['send_email']);
    });
  });
});

describe('validateConnectorConfig', () => {
  const registry = new ConnectorTypeRegistry();
  const validator = new SchemaValidator();
  const type = (name: string) => {
    const definition = registry.get(name);
    if (!definition) throw new Error(`no ${name}`);
    return definition;
  };
  const check = (name: string, config: unknown) => validateConnectorConfig(validator, type(name), config);

  it('accepts an http config for each auth kind and reports its secret refs', () => {
    for (const auth of [{ kind: 'none' }, { kind: 'bearer', secret_ref: 'tok' }, { kind: 'header', header_name: 'X-Api-Key', secret_ref: 'tok' }, { kind: 'basic', username: 'u', secret_ref: 'tok' }]) {
      const result = check('http', { base_url: 'https://api.example.test', auth, operations: [] });
      expect(result.errors).toEqual([]);
      expect(result.secretRefs).toEqual(auth.kind === 'none' ? [] : [{ path: '/config/auth/secret_ref', name: 'tok' }]);
    }
  });

  it('points at the bad http fields', () => {
    const result = check('http', { base_url: 'ftp://x', auth: { kind: 'bearer' }, default_headers: { a: 1 }, operations: [{ operation_id: 'Bad', method: 'FETCH', path: 'x' }] });
    expect(result.errors.map((e) => e.path).sort()).toEqual(
      ['/config/auth/secret_ref', '/config/base_url', '/config/default_headers/a', '/config/operations/0/method', '/config/operations/0/operation_id', '/config/operations/0/path'].sort(),
    );
  });

  it('refuses duplicate http operation ids and payload schemas that are not JSON Schema', () => {
    const result = check('http', {
      base_url: 'https://api.example.test',
      operations: [
        { operation_id: 'a', method: 'GET', path: '/a' },
        { operation_id: 'a', method: 'POST', path: '/a', payload_schema: { type: 'banana' } },
      ],
    });
    const paths = result.errors.map((e) => e.path);
    expect(paths[0]).toBe('/config/operations/1/operation_id');
    expect(paths.length).toBeGreaterThan(1);
    expect(paths.slice(1).every((path) => path.startsWith('/config/operations/1/payload_schema'))).toBe(true);
  });

  it('accepts an http config without base_url or operations (operations default to none)', () => {
    const result = check('http', {});
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({ operations: [] });
  });

  it('wants absolute operation URLs without a base_url and relative paths with one', () => {
    const op = (path: string) => ({ operation_id: 'a', method: 'GET', path });
    expect(check('http', { operations: [op('https://api.example.test/a')] }).errors).toEqual([]);
    expect(check('http', { operations: [op('/a')] }).errors.map((e) => e.path)).toEqual(['/config/operations/0/path']);
    expect(check('http', { base_url: 'https://api.example.test', operations: [op('https://other.example.test/a')] }).errors.map((e) => e.path)).toEqual(['/config/operations/0/path']);
  });

  it('fills stripe defaults and finds its key ref', () => {
    const result = check('stripe', { api_key_ref: 'stripe-key' });
    expect(result.errors).toEqual([]);
    expect(result.config).toEqual({ api_key_ref: 'stripe-key', base_url: 'https://api.stripe.com' });
    expect(result.secretRefs).toEqual([{ path: '/config/api_key_ref', name: 'stripe-key' }]);
  });

  it('validates smtp and s3 configs', () => {
    expect(check('smtp', { host: 'smtp.example.test', port: 587, username: 'u', password_ref: 'pw' }).errors).toEqual([]);
    expect(check('smtp', { host: 'smtp.example.test', port: 70000, username: 'u' }).errors).toEqual(
      expect.arrayContaining([{ path: '/config/port', message: 'must be <= 65535' }, { path: '/config/password_ref', message: 'is required when username is set' }]),
    );
    const s3 = check('s3', { region: 'eu-west-1', bucket: 'my-bucket', access_key_id: 'AKIA', secret_access_key_ref: 's3-secret' });
    expect(s3.errors).toEqual([]);
    expect(s3.config['force_path_style']).toBe(false);
    expect(check('s3', { region: 'eu-west-1' }).errors.map((e) => e.path).sort()).toEqual(['/config/access_key_id', '/config/bucket', '/config/secret_access_key_ref']);
  });

  it('validates operation payloads with the same validator', () => {
    const sendEmail = type('smtp').operations[0];
    expect(validator.validate(sendEmail.payload_schema, { from: 'a@example.test', to: ['b@example.test'], subject: 'hi', text: 'x' }).errors).toEqual([]);
    expect(validator.validate(sendEmail.payload_schema, { from: 'a@example.test', to: [], subject: 'hi' }, '/payload').errors).toEqual(
      expect.arrayContaining([{ path: '/payload/to', message: 'must NOT have fewer than 1 items' }, { path: '/payload', message: 'must match a schema in anyOf' }]),
    );
  });
});
