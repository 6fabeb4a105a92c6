import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import request from 'supertest';
import { CARDS, providerSessionId } from './support/checkout-flow';
import { closeDb } from './support/db';
import { sessionBody } from './support/fixtures';
import { Harness, requiredEnv, sandboxAdmin, startHarness } from './support/harness';
import { merchantToken } from './support/tokens';

const SCREENSHOTS = resolve(__dirname, '../../../test-results');

/** The merchant's storefront pages the buyer is sent back to. */
async function startMerchant(): Promise<{ url: string; visits: string[]; close(): Promise<void> }> {
  const visits: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    visits.push(req.url ?? '');
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<h1>${req.url?.startsWith('/success') ? 'Thank you' : 'Payment failed'}</h1>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    visits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('checkout journey in headless Chromium', () => {
  let h: Harness;
  let merchant: Awaited<ReturnType<typeof startMerchant>>;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    h = await startHarness({ realCheckoutBaseUrl: true });
    merchant = await startMerchant();
    browser = await chromium.launch({
      executablePath: requiredEnv('CHROMIUM_PATH'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await merchant?.close();
    await h?.close();
    await closeDb();
  });
  beforeEach(async () => {
    token = await merchantToken(`merchant_${randomUUID()}`);
  });

  const createSession = async () => {
    const res = await request(h.url)
      .post('/api/v1/sessions')
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', randomUUID())
      .send(
        sessionBody({
          redirectUrls: { success: `${merchant.url}/success?from=shop`, failure: `${merchant.url}/failure` },
        }),
      );
    expect(res.status).toBe(201);
    return res.body as { sessionId: string; checkoutUrl: string };
  };
  const statusOf = async (sessionId: string) =>
    (await request(h.url).get(`/api/v1/sessions/${sessionId}`).set('Authorization', `Bearer ${token}`)).body;

  const fillCard = async (page: Page, number: string) => {
    await page.locator('#cc-number-input').fill(number);
    await page.locator('#cc-expiry-date-input').fill('12/30');
    await page.locator('#cc-security-code-input').fill('123');
  };

  it('pays on the hosted page and lands on the success URL; the session is COMPLETED', async () => {
    const { sessionId, checkoutUrl } = await createSession();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(checkoutUrl);
    await expect(page.locator('#total').textContent()).resolves.toBe('$140.76');
    await expect(page.locator('#order-reference').textContent()).resolves.toMatch(/^ORD-/);
    await expect(page.locator('#time-left').textContent()).resolves.toMatch(/min/);
    await fillCard(page, CARDS.approve);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'checkout-page.png'), fullPage: true });
    await page.locator('#pay-button').click();
    await page.waitForURL(`${merchant.url}/success?from=shop&sessionId=${sessionId}`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you');
    expect((await statusOf(sessionId)).status).toBe('COMPLETED');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('ends a declined card on the failure URL with status FAILED', async () => {
    const { sessionId, checkoutUrl } = await createSession();
    const page = await browser.newPage();
    await page.goto(checkoutUrl);
    await fillCard(page, CARDS.decline);
    await page.locator('#pay-button').click();
    await page.waitForURL(`${merchant.url}/failure?sessionId=${sessionId}`);
    const session = await statusOf(sessionId);
    expect(session.status).toBe('FAILED');
    expect(session.payment.declineReason).toEqual(expect.any(String));
    await page.close();
  });

  it('creates one transaction from two quick submits', async () => {
    await sandboxAdmin.fault(h.sandboxUrl, {
      provider: 'gr4vy',
      path: '/transactions',
      mode: 'latency',
      latencyMs: 300,
      remaining: 2,
    });
    const { sessionId, checkoutUrl } = await createSession();
    const page = await browser.newPage();
    await page.goto(checkoutUrl);
    await fillCard(page, CARDS.approve);
    await page.locator('#pay-button').dblclick();
    // A second submit through the form itself, as an impatient buyer pressing Enter would.
    await page
      .locator('#cc-security-code-input')
      .press('Enter')
      .catch(() => undefined);
    await page.waitForURL(new RegExp(`/success\\?from=shop&sessionId=${sessionId}$`));
    const gr4vySession = await providerSessionId(sessionId);
    const transactions = (await sandboxAdmin.requests(h.sandboxUrl, '/transactions')).filter(
      (r) => (r.body.payment_method as { id?: string } | undefined)?.id === gr4vySession,
    );
    expect(transactions).toHaveLength(1);
    await page.close();
  });
});
