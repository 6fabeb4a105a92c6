/**
 * Turn Jest `--json` reports into the one-line summary CI greps for:
 * `N passed, N failed`.
 *
 * A suite that could not run (syntax error, failing beforeAll/afterAll,
 * missing module...) has no failed assertions, so it would be invisible in
 * numFailedTests; it is counted as one failure. A missing report (Jest crashed
 * or never ran) counts as one failure too, so the line never hides a broken run.
 */
import fs from 'node:fs';

function isReport(value) {
  return Boolean(value) && typeof value === 'object' && typeof value.numPassedTests === 'number';
}

function countFailures(report) {
  const failedTests = report.numFailedTests ?? 0;
  const suites = Array.isArray(report.testResults) ? report.testResults : [];
  const brokenSuites = suites.filter(
    (suite) =>
      suite.status === 'failed' &&
      !(suite.assertionResults ?? []).some((assertion) => assertion.status === 'failed'),
  ).length;
  return failedTests + Math.max(brokenSuites, report.numRuntimeErrorTestSuites ?? 0);
}

/**
 * @param {Array<object | null | undefined | {report?: object | null, exitCode?: number | null}>} reports
 *   Jest JSON reports; null/undefined for a report that is missing. An entry may
 *   also be `{report, exitCode}`: a non-zero exitCode with no failure in its
 *   report (e.g. Jest died after writing it) then counts as one failure.
 * @returns {{passed: number, failed: number, line: string}}
 */
export function summarize(reports) {
  let passed = 0;
  let failed = 0;
  for (const entry of reports) {
    const wrapped =
      !isReport(entry) && entry && typeof entry === 'object' && ('report' in entry || 'exitCode' in entry);
    const report = wrapped ? entry.report : entry;
    const exitCode = wrapped ? entry.exitCode : undefined;
    if (!isReport(report)) {
      failed += 1;
      continue;
    }
    passed += report.numPassedTests;
    let f = countFailures(report);
    if (f === 0 && (report.wasInterrupted || (exitCode !== undefined && exitCode !== null && exitCode !== 0)))
      f = 1;
    failed += f;
  }
  return { passed, failed, line: `${passed} passed, ${failed} failed` };
}

/** Read a Jest JSON report; null when missing or unreadable. */
export function readReport(file) {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    return isReport(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Default report locations written by scripts/run-tests.mjs. */
export const DEFAULT_REPORTS = ['test-results/unit.json', 'test-results/e2e.json'];
