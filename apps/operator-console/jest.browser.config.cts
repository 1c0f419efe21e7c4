// Real Chromium (Debian's /usr/bin/chromium through playwright-core) against the BFF serving
// the built SPA. Run by the e2e-browser target, which builds the SPA first.
const e2e = require('./jest.e2e.config.cts');

module.exports = {
  ...e2e,
  displayName: 'operator-console:browser',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60_000,
};
