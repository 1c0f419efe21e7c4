// `npm run docs:access-matrix`: writes ACCESS_RULES (libs/auth) into docs/04_security_model.md
// between its access-matrix markers. `-- --check` only compares (exit 1 when out of step).
// A unit test (libs/auth render-matrix.spec.ts) fails while the page and the code disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withAccessMatrix } from '../libs/auth/src/access/render-matrix';

const page = join(__dirname, '..', 'docs', '04_security_model.md');
const current = readFileSync(page, 'utf8');
const updated = withAccessMatrix(current);
if (process.argv.includes('--check')) {
  if (updated !== current) {
    console.error('docs/04_security_model.md: the access matrix is out of step with ACCESS_RULES (run npm run docs:access-matrix)');
    process.exit(1);
  }
} else if (updated !== current) {
  writeFileSync(page, updated);
  console.error('docs/04_security_model.md: access matrix updated');
}
