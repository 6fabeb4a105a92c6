import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import request from 'supertest';
import { closeDb, db } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

describe('GET /api/v1/sessions: the merchant’s sessions, newest first', () => {
  let h: Harness;
  let token: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    agent.destroy();
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
  });

  const list = (query: Record<string, string | string[]> = {}, as = token) =>
    request(h.url).get('/api/v1/sessions').agent(agent).set('Authorization', `Bearer ${as}`).query(query);

  const create = async (overrides: Record<string, unknown> = {}) => {
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .agent(agent)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody(overrides));
    expect(res.status).toBe(201);
    return res.body.sessionId as string;
  };

  it('returns 250 sessions page by page, each exactly once, newest first', async () => {
    const created: string[] = [];
    for (let batch = 0; batch < 25; batch++) {
      created.push(...(await Promise.all(Array.from({ length: 10 }, () => create()))));
    }
    const seen: string[] = [];
    const createdAt: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list({ limit: '40', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      pages++;
      seen.push(...res.body.data.map((s: { sessionId: string }) => s.sessionId));
      createdAt.push(...res.body.data.map((s: { createdAt: string }) => s.createdAt));
      cursor = res.body.nextCursor;
    } while (cursor && pages < 20);
    expect(pages).toBe(7);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect([...seen].sort()).toEqual([...created].sort());
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
  });

  it('has an index that serves a page in key order from any cursor, with no sort', async () => {
    // A small test table would be scanned whatever the indexes; with scans off the plan shows the index fits.
    const client = await db().connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query(
        `EXPLAIN SELECT id FROM checkout_sessions WHERE merchant_id = $1 AND (created_at, id) < ($2, $3::uuid)
         ORDER BY created_at DESC, id DESC LIMIT 21`,
        ['m', new Date(), randomUUID()],
      );
      const plan = rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('ix_checkout_sessions_merchant_created');
      expect(plan).not.toMatch(/\bSort\b/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('filters by order reference, status and creation time, and never shows another merchant’s sessions', async () => {
    const first = await create({ orderReference: 'ORD-FILTER-1' });
    const before = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const second = await create();
    await db().query(`UPDATE checkout_sessions SET status = 'COMPLETED' WHERE id = $1`, [second]);
    const expired = await create();
    await db().query(`UPDATE checkout_sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      expired,
    ]);

    const ids = async (query: Record<string, string | string[]>) =>
      (await list(query)).body.data.map((s: { sessionId: string }) => s.sessionId);
    expect(await ids({ orderReference: 'ORD-FILTER-1' })).toEqual([first]);
    expect(await ids({ status: 'COMPLETED' })).toEqual([second]);
    expect(await ids({ status: ['COMPLETED', 'EXPIRED'] })).toEqual([expired, second]);
    expect(await ids({ status: 'PENDING' })).toEqual([first]);
    expect(await ids({ createdFrom: before.toISOString() })).toEqual([expired, second]);
    expect(await ids({ createdTo: before.toISOString() })).toEqual([first]);

    const stranger = await merchantToken(`merchant_${randomUUID()}`);
    expect((await list({}, stranger)).body).toEqual({ data: [], nextCursor: null });
  });

  it.each([
    [{ status: 'PAID' }, 'status'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ createdFrom: 'yesterday' }, 'createdFrom'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
    [{ colour: 'blue' }, 'colour'],
  ])('answers %j with a 400 naming %s', async (query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.details).toContainEqual(expect.objectContaining({ field }));
  });

  it('requires the merchant token', async () => {
    expect((await request(h.url).get('/api/v1/sessions')).status).toBe(401);
  });
});
