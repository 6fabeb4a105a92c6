import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';

export const OBSERVABILITY_DIR = resolve(__dirname, '../../../../deploy/observability');
export const RULES_FILE = join(OBSERVABILITY_DIR, 'alerts.rules.yml');
export const RULE_TESTS_FILE = join(OBSERVABILITY_DIR, 'alerts.test.yml');
export const DASHBOARD_FILE = join(OBSERVABILITY_DIR, 'grafana-dashboard.json');

export const MAIN_GROUP = 'checkout-orchestrator';
export const LIFECYCLE_GROUP = 'checkout-orchestrator-lifecycle';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function ruleGroups(): Array<{ name: string; rules: AlertRule[] }> {
  return (load(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ name: string; rules: AlertRule[] }> })
    .groups;
}

interface DashboardPanel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: DashboardPanel[];
}

/** Every PromQL query of the dashboard's panels (rows included), in panel order. */
export function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { panels: DashboardPanel[] };
  const walk = (panels: DashboardPanel[]): Array<{ panel: string; expr: string }> =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? [])
        .filter((target) => target.expr)
        .map((target) => ({ panel: panel.title ?? '', expr: target.expr as string })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

/** The dashboard's variables replaced by what Grafana would send, so promtool can parse the query. */
export function withDashboardVariables(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/\$job/g, 'checkout-api');
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * Metric names a PromQL expression reads: identifiers left once strings, label matchers,
 * ranges and grouping clauses are removed, except functions and operators.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (match[2] !== undefined || KEYWORDS.has(match[1].toLowerCase())) continue;
    names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * Sample names a /metrics page can serve, from its `# TYPE` lines: a histogram serves
 * name_bucket, name_count and name_sum; a summary name, name_count and name_sum.
 */
export function exportedSampleNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_count', '_sum']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}
