import type { OperatorRole } from '@orch/data';
import { ACCESS_RULES, type AccessRule } from './access-rules';

/** Column order of the rendered matrix (a test checks it lists every role of @orch/data). */
export const MATRIX_ROLE_COLUMNS: readonly OperatorRole[] = ['OperatorAdmin', 'Support', 'BillingAdmin', 'ReadOnlyAuditor', 'BreakGlassAdmin'];

export const ACCESS_MATRIX_START = '<!-- access-matrix:start -->';
export const ACCESS_MATRIX_END = '<!-- access-matrix:end -->';

const ALLOWED = '✓';
const VIA_BREAK_GLASS = '✓ (break-glass)';
const DENIED = '–';

function roleCell(rule: AccessRule, role: OperatorRole): string {
  if (rule.public) return DENIED;
  if (rule.anyOperator) return ALLOWED;
  if (!(rule.roles ?? []).includes(role)) return DENIED;
  if (role !== 'BreakGlassAdmin' || rule.breakGlassActivation) return ALLOWED;
  return VIA_BREAK_GLASS;
}

function scopesCell(rule: AccessRule): string {
  const scopes = rule.scopes ?? [];
  return scopes.length === 0 ? DENIED : scopes.map((scope) => `\`${scope}\``).join(', ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/**
 * ACCESS_RULES as a Markdown table: one row per rule in declaration order, one column per
 * role. docs/04_security_model.md holds exactly this text between its access-matrix markers.
 */
export function renderAccessMatrix(): string {
  const header = ['rule', 'route', ...MATRIX_ROLE_COLUMNS, 'service scopes', 'impersonation', 'public'];
  const lines = [row(header), row(header.map(() => '---'))];
  for (const [name, rule] of Object.entries(ACCESS_RULES) as Array<[string, AccessRule]>) {
    lines.push(
      row([
        `\`${name}\``,
        `\`${rule.route}\``,
        ...MATRIX_ROLE_COLUMNS.map((role) => roleCell(rule, role)),
        scopesCell(rule),
        rule.impersonation ? 'yes' : 'no',
        rule.public ? 'yes' : 'no',
      ]),
    );
  }
  return lines.join('\n');
}

/** The text between the markers (one newline after the start and before the end stripped); undefined without markers. */
export function extractAccessMatrix(markdown: string): string | undefined {
  const start = markdown.indexOf(ACCESS_MATRIX_START);
  const end = markdown.indexOf(ACCESS_MATRIX_END);
  if (start < 0 || end < start) return undefined;
  return markdown
    .slice(start + ACCESS_MATRIX_START.length, end)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

/** The page with the current matrix between its markers; throws when the markers are missing. */
export function withAccessMatrix(markdown: string): string {
  const start = markdown.indexOf(ACCESS_MATRIX_START);
  const end = markdown.indexOf(ACCESS_MATRIX_END);
  if (start < 0 || end < start) throw new Error(`No ${ACCESS_MATRIX_START} … ${ACCESS_MATRIX_END} block in the page`);
  return `${markdown.slice(0, start + ACCESS_MATRIX_START.length)}\n${renderAccessMatrix()}\n${markdown.slice(end)}`;
}
