import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { dump, load } from 'js-yaml';
import {
  dashboardQueries,
  LIFECYCLE_GROUP,
  MAIN_GROUP,
  ruleGroups,
  RULE_TESTS_FILE,
  RULES_FILE,
  withDashboardVariables,
} from '../../test/support/observability-files';

/** promtool from PROMTOOL_BIN (npm test sets it) or PATH; its absence fails the suite, it never skips it. */
function promtool(): string {
  const candidates = [
    process.env.PROMTOOL_BIN,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => dir && join(dir, 'promtool')),
    '/usr/bin/promtool',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    'promtool was not found (PROMTOOL_BIN, PATH, /usr/bin). It ships with Debian\'s "prometheus" package: ' +
      'apt-get install -y --no-install-recommends prometheus (npm test installs it when running as root).',
  );
}

function run(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(promtool(), args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface RuleTest {
  name: string;
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

describe('deploy/observability alert rules (promtool)', () => {
  const groups = ruleGroups();
  const alerts = groups.flatMap((group) => group.rules.map((rule) => rule.alert));

  it('has the main group and the lifecycle group, each alert once, each with a severity and a summary', () => {
    expect(groups.map((group) => group.name)).toEqual([MAIN_GROUP, LIFECYCLE_GROUP]);
    expect(new Set(alerts).size).toBe(alerts.length);
    for (const rule of groups.flatMap((group) => group.rules)) {
      expect({
        alert: rule.alert,
        severity: rule.labels?.severity,
        summary: Boolean(rule.annotations?.summary),
      }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
        summary: true,
      });
    }
  });

  it('passes promtool check rules', () => {
    const result = run(['check', 'rules', RULES_FILE], dirname(RULES_FILE));
    expect(result).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${alerts.length} rules found`),
    });
  });

  it('passes promtool test rules', () => {
    const result = run(['test', 'rules', RULE_TESTS_FILE], dirname(RULE_TESTS_FILE));
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('fires every alert in at least one promtool test, and checks each one quiet in another case', () => {
    const tests = (load(readFileSync(RULE_TESTS_FILE, 'utf8')) as { tests: RuleTest[] }).tests;
    const cases = tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const alert of alerts) {
      const fired = cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length > 0);
      const quiet = cases.some((c) => c.alertname === alert && (c.exp_alerts ?? []).length === 0);
      expect({ alert, fired, quiet }).toEqual({ alert, fired: true, quiet: true });
    }
  });

  it('has a dashboard whose every query is PromQL that promtool parses', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));
    try {
      const file = join(dir, 'dashboard.rules.yml');
      const rules = queries.map((query, i) => ({
        record: `dashboard:query_${i}`,
        expr: withDashboardVariables(query.expr),
      }));
      writeFileSync(file, dump({ groups: [{ name: 'dashboard', rules }] }));
      const result = run(['check', 'rules', file], dir);
      expect(result).toEqual({
        status: 0,
        output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
