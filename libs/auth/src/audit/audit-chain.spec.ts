import { auditRowHash, type ChainedAuditFields } from './audit-chain';

function row(overrides: Partial<ChainedAuditFields> = {}): ChainedAuditFields {
  return {
    workspaceId: '11111111-1111-4111-8111-111111111111',
    actorType: 'operator',
    actorId: '22222222-2222-4222-8222-222222222222',
    impersonatorId: null,
    action: 'workspace.create',
    targetType: 'workspace',
    targetId: '11111111-1111-4111-8111-111111111111',
    reason: 'new customer',
    before: null,
    after: { name: 'acme-dev', settings: { retention_days: 30 } },
    requestId: 'req-12345678',
    ip: '127.0.0.1',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    prevHash: '0'.repeat(64),
    ...overrides,
  };
}

describe(auditRowHash.name, () => {
  it('is a sha256 hex digest', () => {
    expect(auditRowHash(row())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable: the same row, or the same snapshot with keys in another order, hashes the same', () => {
    expect(auditRowHash(row())).toBe(auditRowHash(row()));
    expect(auditRowHash(row({ after: { settings: { retention_days: 30 }, name: 'acme-dev' } }))).toBe(auditRowHash(row()));
  });

  it('treats an undefined snapshot as null (jsonb gives back null)', () => {
    expect(auditRowHash(row({ before: undefined }))).toBe(auditRowHash(row({ before: null })));
  });

  const changes: Array<[keyof ChainedAuditFields, unknown]> = [
    ['workspaceId', null],
    ['actorType', 'service'],
    ['actorId', '33333333-3333-4333-8333-333333333333'],
    ['impersonatorId', '44444444-4444-4444-8444-444444444444'],
    ['action', 'workspace.update'],
    ['targetType', 'service_identity'],
    ['targetId', null],
    ['reason', 'new customer!'],
    ['before', { name: 'acme-dev' }],
    ['after', { name: 'acme-dev', settings: { retention_days: 31 } }],
    ['requestId', 'req-87654321'],
    ['ip', '10.0.0.1'],
    ['createdAt', new Date('2026-01-02T03:04:05.679Z')],
    ['prevHash', 'f'.repeat(64)],
  ];

  it.each(changes)('changes when %s changes', (field, value) => {
    expect(auditRowHash(row({ [field]: value }))).not.toBe(auditRowHash(row()));
  });

  it('covers every field of the row (the table above is complete)', () => {
    expect(changes.map(([field]) => field).sort()).toEqual(Object.keys(row()).sort());
  });
});
