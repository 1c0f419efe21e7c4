import { describePlan } from './bundle.commands';

describe('describePlan', () => {
  it('prints the counts, then each item, with the changes of updates', () => {
    const text = describePlan(
      {
        workspace: { name: 'buildos-dev', action: 'create' },
        create: [{ kind: 'connector', name: 'stripe' }],
        update: [{ kind: 'policy', name: 'default', diff: [{ path: '/timeout/total_ms', before: 15000, after: 5000 }] }],
        unchanged: [{ kind: 'config', name: 'default@v1' }],
      },
      false,
    );
    expect(text.split('\n')).toEqual([
      'Dry run (nothing written): workspace buildos-dev (create)',
      '1 create, 1 update, 1 unchanged',
      '  + connector stripe',
      '  ~ policy default',
      '      /timeout/total_ms: 15000 -> 5000',
      '  = config default@v1',
    ]);
  });

  it('says when the plan was applied and names the workspace id', () => {
    const text = describePlan({ workspace: { name: 'a-dev', id: 'id-1', action: 'unchanged' }, create: [], update: [], unchanged: [] }, true);
    expect(text.split('\n')[0]).toBe('Applied: workspace a-dev id-1 (unchanged)');
  });
});
