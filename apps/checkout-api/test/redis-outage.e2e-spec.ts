import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { sessionBody } from './support/fixtures';
import { Harness, sandboxAdmin, startHarness } from './support/harness';
import { RedisProcess } from './support/redis-process';
import { merchantToken } from './support/tokens';

describe('while Redis is down', () => {
  let redis: RedisProcess;
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    h = await startHarness({ env: { REDIS_URL: redis.url } });
    token = await merchantToken(`merchant_${randomUUID()}`);
  });
  afterAll(async () => {
    await h.close();
    await redis.stop();
  });

  // A bounded response time: while Redis is down the API must answer, not hang.
  const post = () =>
    request(h.url)
      .post('/api/v1/sessions')
      .timeout({ response: 5000 })
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(sessionBody());

  it('answers 503 without calling a provider, reports not ready, and recovers when Redis returns', async () => {
    expect((await post()).status).toBe(201);
    await redis.stop();
    await sandboxAdmin.clearRequests(h.sandboxUrl);

    const down = await post();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The service is temporarily unavailable. Please try again later',
      code: 'SERVICE_UNAVAILABLE',
    });
    expect(await sandboxAdmin.requests(h.sandboxUrl, '/checkout/sessions')).toHaveLength(0);
    const ready = await request(h.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toBe('down');

    await redis.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await post()).status;
    }
    expect(status).toBe(201);
    expect((await request(h.url).get('/health/ready')).status).toBe(200);
  });
});
