import { createContext, runInContext } from 'node:vm';
import { startSandbox, SECURE_FIELDS_PATH, type RunningSandbox } from './sandbox';
import {
  CARD_APPROVE,
  createSession,
  gr4vyHeaders,
  postJson,
  readJson,
  transactionBody,
  type JsonObject,
} from './test/helpers';

/** Just enough of a DOM element for the script: attributes, children, 'input' listeners, value. */
class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: FakeElement[] = [];
  private readonly listeners = new Map<string, (() => void)[]>();
  value = '';

  constructor(readonly tagName: string) {}

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }

  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }

  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** What a user typing does: set the value, then fire 'input'. */
  type(text: string): void {
    this.value = text;
    for (const listener of this.listeners.get('input') ?? []) listener();
  }
}

type Listener = (detail: unknown) => void;

interface SecureFieldsInstance {
  readonly origin: string;
  addCardNumberField(selector: string): { element: FakeElement };
  addExpiryDateField(selector: string): { element: FakeElement };
  addSecurityCodeField(selector: string): { element: FakeElement };
  addEventListener(event: string, listener: Listener): void;
  submit(): Promise<boolean>;
}

interface SecureFieldsClass {
  new (options: Record<string, unknown>): SecureFieldsInstance;
  Events: Record<string, string>;
}

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

interface Page {
  SecureFields: SecureFieldsClass;
  containers: Record<string, FakeElement>;
}

/** Runs the served script in a fresh V8 context with a fake document and the given fetch. */
function loadScript(source: string, src: string, fetchImpl: FetchLike): Page {
  const containers: Record<string, FakeElement> = {
    '#cc-number': new FakeElement('div'),
    '#cc-expiry-date': new FakeElement('div'),
    '#cc-security-code': new FakeElement('div'),
  };
  const document = {
    currentScript: { src },
    querySelector: (selector: string) => containers[selector] ?? null,
    createElement: (tag: string) => new FakeElement(tag),
  };
  const context = createContext({ document, fetch: fetchImpl, setTimeout, URL });
  runInContext(source, context, { filename: 'secure-fields.js' });
  return { SecureFields: context.SecureFields as SecureFieldsClass, containers };
}

interface Mounted {
  secureFields: SecureFieldsInstance;
  events: { event: string; detail: unknown }[];
  inputs: { number: FakeElement; expiry: FakeElement; code: FakeElement };
}

function mount(page: Page, sessionId: string): Mounted {
  const { SecureFields } = page;
  const secureFields = new SecureFields({ gr4vyId: 'sandbox', environment: 'sandbox', sessionId });
  const inputs = {
    number: secureFields.addCardNumberField('#cc-number').element,
    expiry: secureFields.addExpiryDateField('#cc-expiry-date').element,
    code: secureFields.addSecurityCodeField('#cc-security-code').element,
  };
  const events: Mounted['events'] = [];
  for (const event of [
    SecureFields.Events.READY,
    SecureFields.Events.CARD_VAULT_SUCCESS,
    SecureFields.Events.CARD_VAULT_FAILURE,
  ]) {
    secureFields.addEventListener(event, (detail) => events.push({ event, detail }));
  }
  return { secureFields, events, inputs };
}

function fillCard(inputs: Mounted['inputs'], number: string, expiry = '12/39', code = '123') {
  inputs.number.type(number);
  inputs.expiry.type(expiry);
  inputs.code.type(code);
}

const SESSION_ID = '3f0a9c7e-1b2d-4e5f-8a9b-0c1d2e3f4a5b';
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('Secure Fields stand-in', () => {
  let sandbox: RunningSandbox;
  let base: string;
  let script: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, logLevel: 'silent' });
    base = sandbox.url;
    script = await (await fetch(`${base}${SECURE_FIELDS_PATH}`)).text();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe(`GET ${SECURE_FIELDS_PATH}`, () => {
    it('serves the script as JavaScript, not cached, with the SecureFields API', async () => {
      const res = await fetch(`${base}${SECURE_FIELDS_PATH}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      for (const part of [
        'root.SecureFields = SecureFields',
        'addCardNumberField',
        'addExpiryDateField',
        'addSecurityCodeField',
        "READY: 'ready'",
        "CARD_VAULT_SUCCESS: 'card-vault-success'",
        "CARD_VAULT_FAILURE: 'card-vault-failure'",
        'document.currentScript',
      ]) {
        expect(text).toContain(part);
      }
      // The request's origin is baked in only as a fallback for a missing currentScript.
      expect(text).toContain(`var ORIGIN = ${JSON.stringify(base)};`);
    });

    it('needs no token and is recorded like other Gr4vy requests', async () => {
      expect((await fetch(`${base}${SECURE_FIELDS_PATH}`)).status).toBe(200);
      expect(sandbox.findRequests({ path: SECURE_FIELDS_PATH })).toHaveLength(1);
    });
  });

  describe('in a page (vm with a fake document)', () => {
    it('exposes SecureFields.Events and renders accessible inputs into the containers', () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, () =>
        Promise.reject(new Error('unused')),
      );
      expect({ ...page.SecureFields.Events }).toEqual({
        READY: 'ready',
        CARD_VAULT_SUCCESS: 'card-vault-success',
        CARD_VAULT_FAILURE: 'card-vault-failure',
      });
      mount(page, SESSION_ID);
      const expected = {
        '#cc-number': ['cc-number-input', 'cc-number', 'Card number'],
        '#cc-expiry-date': ['cc-expiry-date-input', 'cc-exp', 'Expiry date (MM/YY)'],
        '#cc-security-code': ['cc-security-code-input', 'cc-csc', 'Security code'],
      };
      for (const [selector, [id, autocomplete, label]] of Object.entries(expected)) {
        const children = page.containers[selector].children;
        expect(children).toHaveLength(1);
        const input = children[0];
        expect(input.tagName).toBe('input');
        expect(Object.fromEntries(input.attributes)).toMatchObject({
          id,
          name: expect.any(String),
          inputmode: 'numeric',
          autocomplete,
          'aria-label': label,
          required: '',
          class: 'secure-field-input',
        });
      }
    });

    it('throws without a sessionId, and for a container that does not exist', () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, () =>
        Promise.reject(new Error('unused')),
      );
      expect(() => new page.SecureFields({ gr4vyId: 'sandbox' })).toThrow(/sessionId/);
      const secureFields = new page.SecureFields({ sessionId: SESSION_ID });
      expect(() => secureFields.addCardNumberField('#nope')).toThrow(/#nope/);
    });

    it('fires READY asynchronously, also for a listener added late', async () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, () =>
        Promise.reject(new Error('unused')),
      );
      const { secureFields, events } = mount(page, SESSION_ID);
      expect(events).toEqual([]);
      await nextTick();
      expect(events.map((e) => e.event)).toEqual(['ready']);
      const late: unknown[] = [];
      secureFields.addEventListener('ready', (detail) => late.push(detail));
      await nextTick();
      expect(late).toHaveLength(1);
    });

    it('formats the expiry as MM/YY and keeps digits only in the security code', () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, () =>
        Promise.reject(new Error('unused')),
      );
      const { inputs } = mount(page, SESSION_ID);
      inputs.expiry.type('1239');
      expect(inputs.expiry.value).toBe('12/39');
      inputs.code.type('1a2b3');
      expect(inputs.code.value).toBe('123');
    });

    it('submit() PUTs the card to <script origin>/checkout/sessions/<id>/fields and fires CARD_VAULT_SUCCESS on 204', async () => {
      const calls: { url: string; init: RequestInit }[] = [];
      const page = loadScript(
        script,
        // The origin comes from where the script was loaded, not from the page.
        'https://fields.sandbox.example:8443/secure-fields/latest/secure-fields.js?v=1',
        async (url, init) => {
          calls.push({ url, init });
          return new Response(null, { status: 204 });
        },
      );
      const { secureFields, events, inputs } = mount(page, SESSION_ID);
      expect(secureFields.origin).toBe('https://fields.sandbox.example:8443');
      fillCard(inputs, '4111 1111 1111 1111', '1239', '123');
      await expect(secureFields.submit()).resolves.toBe(true);

      expect(calls).toHaveLength(1);
      expect(calls[0].url).toBe(`https://fields.sandbox.example:8443/checkout/sessions/${SESSION_ID}/fields`);
      expect(calls[0].init.method).toBe('PUT');
      expect(calls[0].init.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(String(calls[0].init.body))).toEqual({
        payment_method: {
          method: 'card',
          number: '4111111111111111',
          expiration_date: '12/39',
          security_code: '123',
        },
      });
      expect(events.filter((e) => e.event !== 'ready')).toEqual([
        { event: 'card-vault-success', detail: { status: 204 } },
      ]);
    });

    it.each([
      [
        422,
        {
          detail: [
            { type: 'string_pattern_mismatch', loc: ['body', 'payment_method', 'number'], msg: 'bad' },
          ],
        },
        'bad (payment_method.number)',
      ],
      [404, { type: 'error', code: 'not_found', status: 404, message: 'gone' }, 'gone'],
      [200, { unexpected: true }, 'HTTP 200'],
      [
        400,
        { type: 'error', code: 'bad_request', status: 400, message: 'The card number is not valid' },
        'The card number is not valid',
      ],
    ])('fires CARD_VAULT_FAILURE with {status, message} on %i', async (status, body, message) => {
      const page = loadScript(
        script,
        `${base}${SECURE_FIELDS_PATH}`,
        async () => new Response(JSON.stringify(body), { status }),
      );
      const { secureFields, events, inputs } = mount(page, SESSION_ID);
      fillCard(inputs, CARD_APPROVE);
      await expect(secureFields.submit()).resolves.toBe(false);
      expect(events.filter((e) => e.event !== 'ready')).toEqual([
        { event: 'card-vault-failure', detail: { status, message } },
      ]);
    });

    it('reports a network error as CARD_VAULT_FAILURE with status 0', async () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, () =>
        Promise.reject(new TypeError('Failed to fetch')),
      );
      const { secureFields, events, inputs } = mount(page, SESSION_ID);
      fillCard(inputs, CARD_APPROVE);
      await secureFields.submit();
      expect(events.filter((e) => e.event !== 'ready')).toEqual([
        { event: 'card-vault-failure', detail: { status: 0, message: 'Failed to fetch' } },
      ]);
    });

    it('against the real sandbox: stores the card, so the transaction can be created', async () => {
      const session = await createSession(base);
      const sessionId = String(session.id);
      const seen: Response[] = [];
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, async (url, init) => {
        // A browser would add the page's Origin; do the same to see the CORS answer.
        const headers = { ...(init.headers as Record<string, string>), origin: 'http://shop.example:3000' };
        const res = await fetch(url, { ...init, headers });
        seen.push(res);
        return res;
      });
      const { secureFields, events, inputs } = mount(page, sessionId);
      fillCard(inputs, CARD_APPROVE, '12/39', '737');
      await expect(secureFields.submit()).resolves.toBe(true);
      expect(events.map((e) => e.event)).toContain('card-vault-success');
      expect(seen[0].headers.get('access-control-allow-origin')).toBe('http://shop.example:3000');

      const stored = await readJson(
        await fetch(`${base}/checkout/sessions/${sessionId}`, { headers: gr4vyHeaders() }),
      );
      expect(stored.payment_method).toMatchObject({
        label: '1111',
        scheme: 'visa',
        details: { bin: '41111111' },
      });
      const tx = await postJson(`${base}/transactions`, transactionBody(sessionId));
      expect(tx.status).toBe(201);
      expect((await readJson(tx)).status).toBe('capture_succeeded');

      // Neither the full number nor the security code reach the request log.
      const recorded = sandbox.findRequests({ path: `/checkout/sessions/${sessionId}/fields` });
      expect(recorded).toHaveLength(1);
      const logged = JSON.stringify(sandbox.requests);
      expect(logged).not.toContain(CARD_APPROVE);
      expect(logged).not.toMatch(/"security_code":"?737/);
      expect((recorded[0].body as { payment_method: JsonObject }).payment_method).toMatchObject({
        number: '411111******1111',
        security_code: '***',
      });
    });

    it('answers a failure from the real sandbox (unknown session → 404) with its message', async () => {
      const page = loadScript(script, `${base}${SECURE_FIELDS_PATH}`, (url, init) => fetch(url, init));
      const { secureFields, events, inputs } = mount(page, SESSION_ID);
      fillCard(inputs, CARD_APPROVE);
      await secureFields.submit();
      expect(events.filter((e) => e.event !== 'ready')).toEqual([
        {
          event: 'card-vault-failure',
          detail: { status: 404, message: 'The checkout session could not be found' },
        },
      ]);
    });
  });

  describe('CORS on PUT /checkout/sessions/:id/fields', () => {
    const ORIGIN = 'http://checkout.example:3000';

    it('answers the preflight: origin echoed, PUT, content-type; not recorded', async () => {
      const res = await fetch(`${base}/checkout/sessions/${SESSION_ID}/fields`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toBe('PUT');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
      expect(res.headers.get('vary')).toMatch(/origin/i);
      expect(sandbox.requests).toEqual([]);
    });

    it('is not consumed by a fault rule meant for the PUT', async () => {
      sandbox.faults.add({
        path: '/checkout/sessions/:session_id/fields',
        mode: 'status',
        status: 503,
        remaining: 1,
      });
      const preflight = await fetch(`${base}/checkout/sessions/${SESSION_ID}/fields`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' },
      });
      expect(preflight.status).toBe(204);
      const put = await postJson(
        `${base}/checkout/sessions/${SESSION_ID}/fields`,
        { payment_method: { method: 'card', number: CARD_APPROVE, expiration_date: '12/39' } },
        { 'content-type': 'application/json', origin: ORIGIN },
        'PUT',
      );
      // The injected failure is readable by the page: it carries the CORS header too.
      expect(put.status).toBe(503);
      expect(put.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });

    it('puts Access-Control-Allow-Origin on the PUT answers (204 and errors)', async () => {
      const session = await createSession(base);
      const ok = await postJson(
        `${base}/checkout/sessions/${String(session.id)}/fields`,
        { payment_method: { method: 'card', number: CARD_APPROVE, expiration_date: '12/39' } },
        { 'content-type': 'application/json', origin: ORIGIN },
        'PUT',
      );
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);

      const invalid = await fetch(`${base}/checkout/sessions/${String(session.id)}/fields`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: '{',
      });
      expect(invalid.status).toBe(422);
      expect(invalid.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    });

    it('is limited to the fields route', async () => {
      const session = await createSession(base);
      const update = await postJson(
        `${base}/checkout/sessions/${String(session.id)}`,
        { amount: 100 },
        gr4vyHeaders('t', { origin: ORIGIN }),
        'PUT',
      );
      expect(update.status).toBe(200);
      expect(update.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${base}/transactions`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(404);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
