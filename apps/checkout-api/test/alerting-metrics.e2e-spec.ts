import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { sessionBody } from './support/fixtures';
import { Harness, startHarness } from './support/harness';
import {
  dashboardQueries,
  exportedSampleNames,
  LIFECYCLE_GROUP,
  MAIN_GROUP,
  metricNames,
  ruleGroups,
} from './support/observability-files';
import { merchantToken } from './support/tokens';

/**
 * Metrics the lifecycle alerts and the dashboard already use, which issues 12 (webhook
 * delivery) and 13 (reconciler) add. Empty this list as they land: the test fails while a
 * name here is exported, so it cannot go stale.
 */
const METRICS_ADDED_BY_ISSUES_12_13 = ['webhook_deliveries_total', 'webhook_oldest_undelivered_age_seconds'];

describe('metrics behind the alerts and the dashboard', () => {
  let h: Harness;
  let exported: Set<string>;

  beforeAll(async () => {
    h = await startHarness();
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${await merchantToken(`merchant_${randomUUID()}`)}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody());
    expect(res.status).toBe(201);
    exported = exportedSampleNames((await request(h.url).get('/metrics')).text);
  });
  afterAll(() => h.close());

  const groupMetrics = (name: string) =>
    [
      ...new Set(
        ruleGroups()
          .find((group) => group.name === name)
          ?.rules.flatMap((rule) => metricNames(rule.expr)),
      ),
    ].sort();

  it('exports every metric of the main alert group', () => {
    const names = groupMetrics(MAIN_GROUP);
    expect(names).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds_bucket',
        'http_request_duration_seconds_count',
        'route_circuit_state',
        'routes_available',
        'redis_connection_up',
        'db_connection_up',
      ]),
    );
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('exports every metric the dashboard and the lifecycle group use, except those issues 12 and 13 add', () => {
    const lifecycle = groupMetrics(LIFECYCLE_GROUP);
    const dashboard = dashboardQueries().flatMap((query) => metricNames(query.expr));
    expect(dashboard.length).toBeGreaterThan(10);
    const missing = [...new Set([...lifecycle, ...dashboard])].filter((name) => !exported.has(name)).sort();
    expect(missing).toEqual([...METRICS_ADDED_BY_ISSUES_12_13].sort());
  });

  it('lists as added later only metrics the lifecycle group uses and the main group does not', () => {
    const lifecycle = groupMetrics(LIFECYCLE_GROUP);
    const main = groupMetrics(MAIN_GROUP);
    for (const name of METRICS_ADDED_BY_ISSUES_12_13) {
      expect({ name, inLifecycle: lifecycle.includes(name), inMain: main.includes(name) }).toEqual({
        name,
        inLifecycle: true,
        inMain: false,
      });
    }
  });
});
