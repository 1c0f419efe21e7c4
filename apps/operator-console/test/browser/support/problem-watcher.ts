import type { Page } from 'playwright-core';

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  failedRequests: string[];
}

export const NO_PROBLEMS: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [], failedRequests: [] };

/**
 * Everything a page reports going wrong, from now on: console errors, uncaught exceptions, CSP
 * violations, failed requests (not the aborted ones) and 4xx/5xx answers. Call it before the first navigation.
 */
export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], cspViolations: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    // Aborted on purpose: react-query cancels the queries of an unmounted page, an event stream
    // ends when its page is left, Chromium drops a favicon load it no longer needs.
    if (error === 'net::ERR_ABORTED') return;
    problems.failedRequests.push(`${request.method()} ${request.url()}: ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.cspViolations.push(text));
  // Injected by the browser, not the page, so the CSP does not apply to it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => Promise<void> }).__reportCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return problems;
}

/** Chromium's own console line for a failed load: "Failed to load resource: … status of 401 (…)". */
function isFailedLoadLog(text: string, status: number): boolean {
  return text.includes('Failed to load resource') && text.includes(String(status));
}

/**
 * Without a session the SPA's `GET /api/session` answers 401 (the contract) and Chromium logs the
 * failed load; that one expected answer is not a problem, anything else is.
 */
export function withoutSessionProbe(problems: PageProblems): PageProblems {
  return withoutExpected(problems, [{ method: 'GET', path: /^\/api\/session$/, status: 401 }]);
}

export interface ExpectedFailure {
  method: string;
  /** Matched against the URL's pathname. */
  path: RegExp;
  status: number;
}

/**
 * The problems minus answers a test caused on purpose (e.g. a 403 it asserts), each named
 * exactly; Chromium's matching "Failed to load resource" console lines go with them.
 */
export function withoutExpected(problems: PageProblems, expected: ExpectedFailure[]): PageProblems {
  const matches = (line: string) =>
    expected.some((e) => {
      const found = /^(\S+) (\S+): (\d+)$/.exec(line);
      return found !== null && found[1] === e.method && Number(found[3]) === e.status && e.path.test(new URL(found[2]).pathname);
    });
  const removed = problems.failedRequests.filter(matches);
  // One console line per removed answer, no more: a second, unexpected 401 stays visible.
  const budget = new Map<number, number>();
  for (const line of removed) {
    const status = Number(line.slice(line.lastIndexOf(' ') + 1));
    budget.set(status, (budget.get(status) ?? 0) + 1);
  }
  const consoleErrors = problems.consoleErrors.filter((text) => {
    for (const [status, left] of budget) {
      if (left > 0 && isFailedLoadLog(text, status)) {
        budget.set(status, left - 1);
        return false;
      }
    }
    return true;
  });
  return { ...problems, failedRequests: problems.failedRequests.filter((line) => !matches(line)), consoleErrors };
}
