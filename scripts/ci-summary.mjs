/**
 * Print `N passed, N failed` from Jest JSON reports and exit non-zero when
 * anything failed (a missing report counts as a failure).
 *
 *   node scripts/ci-summary.mjs [report.json ...]   (default: test-results/unit.json test-results/e2e.json)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REPORTS, readReport, summarize } from './lib/jest-summary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files =
  process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_REPORTS.map((f) => path.join(root, f));
const { failed, line } = summarize(files.map((file) => readReport(file)));
console.log(line);
process.exitCode = failed > 0 ? 1 : 0;
