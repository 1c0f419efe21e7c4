import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_ROLES } from '@orch/data';
import { ACCESS_RULES } from './access-rules';
import { ACCESS_MATRIX_END, ACCESS_MATRIX_START, extractAccessMatrix, MATRIX_ROLE_COLUMNS, renderAccessMatrix, withAccessMatrix } from './render-matrix';

const SECURITY_MODEL = join(__dirname, '..', '..', '..', '..', 'docs', '04_security_model.md');

describe(renderAccessMatrix.name, () => {
  const lines = renderAccessMatrix().split('\n');
  const cellsOf = (name: string): string[] =>
    (lines.find((line) => line.startsWith(`| \`${name}\` |`)) ?? '')
      .split(' | ')
      .map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, ''));

  it('has a column for every operator role', () => {
    expect([...MATRIX_ROLE_COLUMNS].sort()).toEqual([...OPERATOR_ROLES].sort());
  });

  it('renders a header, a separator and one row per rule, in declaration order', () => {
    expect(lines[0]).toBe('| rule | route | OperatorAdmin | Support | BillingAdmin | ReadOnlyAuditor | BreakGlassAdmin | service scopes | impersonation | public |');
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    expect(lines.slice(2).map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1])).toEqual(Object.keys(ACCESS_RULES));
    for (const line of lines) expect(line.split(' | ')).toHaveLength(10);
  });

  it('marks break-glass-only powers, role rights, scopes, impersonation and public routes', () => {
    expect(cellsOf('workspaces.update')).toEqual(['`workspaces.update`', '`PATCH /v1/workspaces/:workspaceId`', '✓', '–', '✓', '–', '✓ (break-glass)', '`workspace:write`', 'yes', 'no']);
    expect(cellsOf('auth.me').slice(2, 7)).toEqual(['✓', '✓', '✓', '✓', '✓']);
    expect(cellsOf('oauth.token').slice(2)).toEqual(['–', '–', '–', '–', '–', '–', 'no', 'yes']);
    expect(cellsOf('break-glass.activate').slice(2, 7)).toEqual(['–', '–', '–', '–', '✓']);
  });

  it('is deterministic', () => {
    expect(renderAccessMatrix()).toBe(renderAccessMatrix());
  });
});

describe('docs/04_security_model.md', () => {
  it('shows exactly the current access matrix between its markers (fix: npm run docs:access-matrix)', () => {
    const page = readFileSync(SECURITY_MODEL, 'utf8');
    const documented = extractAccessMatrix(page);
    const expected = renderAccessMatrix();
    if (documented !== expected) {
      // The table to paste, should the script not be at hand.
      console.warn(`docs/04_security_model.md is out of step with ACCESS_RULES. Expected between ${ACCESS_MATRIX_START} and ${ACCESS_MATRIX_END}:\n\n${expected}\n`);
    }
    expect(documented).toBe(expected);
  });
});

describe(withAccessMatrix.name, () => {
  it('replaces only the text between the markers, and extractAccessMatrix reads it back', () => {
    const page = `# Title\n\nbefore\n${ACCESS_MATRIX_START}\nold table\n${ACCESS_MATRIX_END}\nafter\n`;
    const updated = withAccessMatrix(page);
    expect(updated.startsWith(`# Title\n\nbefore\n${ACCESS_MATRIX_START}\n| rule |`)).toBe(true);
    expect(updated.endsWith(`|\n${ACCESS_MATRIX_END}\nafter\n`)).toBe(true);
    expect(extractAccessMatrix(updated)).toBe(renderAccessMatrix());
    expect(withAccessMatrix(updated)).toBe(updated);
  });

  it('refuses a page without markers', () => {
    expect(() => withAccessMatrix('# no markers')).toThrow(/access-matrix:start/);
    expect(extractAccessMatrix('# no markers')).toBeUndefined();
  });
});
