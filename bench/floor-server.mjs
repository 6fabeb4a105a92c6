/**
 * The benchmark's **floor**: a bare `node:http` server that does only the work
 * a `POST /api/v1/sessions` cannot avoid, on the same real dependencies as the
 * service (ioredis, pg, jose, the provider sandbox over keep-alive HTTP):
 *
 *   1. read and JSON.parse the body;
 *   2. verify the HS256 bearer JWT (jose jwtVerify, the key imported once);
 *   3. claim the Idempotency-Key in Redis (one Lua script shaped like the service's claim);
 *   4. call the provider: Gr4vy `POST /checkout/sessions` on a keep-alive http.Agent,
 *      with an ES512 token signed once at start (like the service's token cache);
 *   5. insert the session row into the service's own `checkout_sessions` table;
 *   6. store the response in Redis (the completion script, owner-checked);
 *   7. reply 201 with the service's response shape.
 *
 * No framework, no validation library, no routing/scoring, no logging per request,
 * no metrics. Nothing is precomputed per request: every request gets its own
 * session id, provider call, row and Redis record.
 *
 * Environment: PORT (default 3100), HOST (127.0.0.1), DATABASE_URL, REDIS_URL,
 * AUTH_JWT_SECRET, GR4VY_SERVER_URL, GR4VY_PRIVATE_KEY_FILE, CHECKOUT_BASE_URL,
 * DB_POOL_SIZE (20, the service's default), FLOOR_ROUTE_ID (gr4vy-card-anz),
 * FLOOR_PAYMENT_SERVICE_ID, SESSION_TTL_SECONDS (3600), IDEMPOTENCY_TTL_SECONDS (86400),
 * IDEMPOTENCY_LEASE_MS (50000). Amounts are converted with exponent 2 (the bench sends AUD).
 * SIGTERM/SIGINT close it and exit 0 (so `--cpu-prof` writes its profile).
 */
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { TextEncoder } from 'node:util';
import Redis from 'ioredis';
import pg from 'pg';
import { SignJWT, importPKCS8, jwtVerify } from 'jose';
/* The session row as the service writes it, from the built service (scripts/bench.mjs builds before it
 * starts the floor). Its column map is the only list of the table's columns; generating the floor's SQL
 * some other way would be a second list to keep in step. What comes in is pure: no Nest, no TypeORM. */
import {
  sessionInsert,
  sessionInsertValues,
} from '../dist/apps/checkout-api/src/sessions/persistence/session.mapper.js';

const env = process.env;
const required = (name) => {
  const value = env[name];
  if (!value) {
    console.error(`[floor] ${name} is required`);
    process.exit(1);
  }
  return value;
};

const PORT = Number(env.PORT ?? 3100);
const HOST = env.HOST ?? '127.0.0.1';
const DATABASE_URL = required('DATABASE_URL');
const REDIS_URL = required('REDIS_URL');
const JWT_SECRET = required('AUTH_JWT_SECRET');
const GR4VY_URL = new URL('/checkout/sessions', required('GR4VY_SERVER_URL'));
const GR4VY_KEY_PEM = fs.readFileSync(required('GR4VY_PRIVATE_KEY_FILE'), 'utf8');
const CHECKOUT_BASE_URL = (env.CHECKOUT_BASE_URL ?? `http://localhost:${PORT}`).replace(/\/+$/, '');
const POOL_SIZE = Number(env.DB_POOL_SIZE ?? 20);
const ROUTE_ID = env.FLOOR_ROUTE_ID ?? 'gr4vy-card-anz';
const PAYMENT_SERVICE_ID = env.FLOOR_PAYMENT_SERVICE_ID ?? '0b5f6c1e-6a4e-4c7c-9a57-3f1d2b8c9e01';
const SESSION_TTL_SECONDS = Number(env.SESSION_TTL_SECONDS ?? 3600);
const IDEMPOTENCY_TTL_SECONDS = String(env.IDEMPOTENCY_TTL_SECONDS ?? 86400);
const IDEMPOTENCY_LEASE_MS = String(env.IDEMPOTENCY_LEASE_MS ?? 50_000);
const MAX_BODY = 1024 * 1024;
/** The floor does not score routes: it has one route and records a fixed score. */
const ROUTING_SCORE = 0;
const ROUTING_CANDIDATES = [{ routeId: ROUTE_ID, adapter: 'gr4vy' }];

// --- Redis: the same client options and the same claim/complete scripts as the service ----------
const CLAIM = `
local rec = redis.call('HMGET', KEYS[1], 'state', 'fp', 'response')
if not rec[1] then
  redis.call('HSET', KEYS[1], 'state', 'in_progress', 'owner', ARGV[1], 'fp', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {'claimed'}
end
if rec[2] ~= ARGV[2] then return {'mismatch'} end
if rec[1] == 'in_progress' then return {'in_progress', tostring(redis.call('PTTL', KEYS[1]))} end
return {'completed', rec[3]}
`;
const COMPLETE = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'completed', 'response', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;
const RELEASE = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'in_progress' then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
const redis = new Redis(REDIS_URL, {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  enableAutoPipelining: true,
  retryStrategy: (times) => Math.min(50 * times, 1000),
  reconnectOnError: () => false,
});
redis.defineCommand('idemClaim', { numberOfKeys: 1, lua: CLAIM });
redis.defineCommand('idemComplete', { numberOfKeys: 1, lua: COMPLETE });
redis.defineCommand('idemRelease', { numberOfKeys: 1, lua: RELEASE });
redis.on('error', (err) => console.error(`[floor] redis: ${err.message}`));

// --- Postgres: a pool of the service's default size, one prepared INSERT ------------------------
const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  max: POOL_SIZE,
  connectionTimeoutMillis: 2000,
  idleTimeoutMillis: 30_000,
  statement_timeout: 5000,
  query_timeout: 6000,
});
pool.on('error', (err) => console.error(`[floor] postgres: ${err.message}`));
const INSERT_SESSION = sessionInsert();

// --- Auth: the HS256 key is imported once; every request is verified -------------------------
const jwtKey = new TextEncoder().encode(JWT_SECRET);

// --- Provider: keep-alive agent, an ES512 token signed once (the service caches its token too) ---
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const gr4vyKey = await importPKCS8(GR4VY_KEY_PEM, 'ES512');
const gr4vyToken = await new SignJWT({ scopes: ['checkout-sessions.write'] })
  .setProtectedHeader({ alg: 'ES512', typ: 'JWT' })
  .setIssuedAt()
  .setNotBefore('0s')
  .setExpirationTime('6h')
  .setJti(randomUUID())
  .sign(gr4vyKey);
const gr4vyAuthorization = `Bearer ${gr4vyToken}`;

function callGr4vy(payload) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(payload);
    const req = http.request(
      GR4VY_URL,
      {
        method: 'POST',
        agent,
        timeout: 8000,
        headers: {
          authorization: gr4vyAuthorization,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 201) {
            reject(new HttpError(502, 'PROVIDER_UNAVAILABLE', `gr4vy answered ${res.statusCode}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new HttpError(502, 'PROVIDER_UNAVAILABLE', 'gr4vy sent invalid JSON'));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new HttpError(504, 'PROVIDER_TIMEOUT', 'gr4vy timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const minor = (major) => Math.round(Number(major ?? 0) * 100);

function toAddress(a) {
  if (!a) return undefined;
  return {
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    state: a.state,
    postal_code: a.postalCode,
    country: a.country,
  };
}

/** The Gr4vy CheckoutSession create body, as the service's adapter builds it (minor units, snake_case). */
function gr4vyBody(order, sessionId, items, shippingMinor, taxMinor, totalMinor) {
  const cart = items.map((i) => ({
    name: i.name,
    quantity: i.quantity,
    unit_amount: i.unitPriceMinor,
    sku: i.sku,
  }));
  if (shippingMinor > 0)
    cart.push({ name: 'Shipping', quantity: 1, unit_amount: shippingMinor, product_type: 'shipping_fee' });
  if (taxMinor > 0) cart.push({ name: 'Tax', quantity: 1, unit_amount: taxMinor, product_type: 'sales_tax' });
  const metadata = {};
  for (const [k, v] of Object.entries(order.additionalInformation ?? {})) metadata[k] = String(v);
  metadata.orderReference = order.orderReference;
  metadata.sessionId = sessionId;
  const body = {
    amount: totalMinor,
    currency: order.currency,
    expires_in: SESSION_TTL_SECONDS,
    metadata,
    cart_items: cart,
    payment_service_id: PAYMENT_SERVICE_ID,
  };
  const c = order.customer;
  if (c) {
    const contact = {
      first_name: c.firstName,
      last_name: c.lastName,
      email_address: c.email,
      phone_number: c.phone,
    };
    body.buyer = { billing_details: { ...contact, address: toAddress(c.billingAddress) } };
    if (c.shippingAddress)
      body.buyer.shipping_details = { ...contact, address: toAddress(c.shippingAddress) };
  }
  return body;
}

function send(res, status, body, headers) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'body over 1 MB'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function createSession(req, res) {
  const raw = await readBody(req);

  const authorization = req.headers.authorization ?? '';
  if (!authorization.startsWith('Bearer ')) throw new HttpError(401, 'UNAUTHORIZED', 'no bearer token');
  let merchantId;
  try {
    const { payload } = await jwtVerify(authorization.slice(7), jwtKey, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'sub'],
      clockTolerance: 5,
    });
    merchantId = payload.sub;
  } catch {
    throw new HttpError(401, 'UNAUTHORIZED', 'invalid token');
  }

  const idempotencyKey = req.headers['idempotency-key'];
  if (!idempotencyKey) throw new HttpError(400, 'IDEMPOTENCY_KEY_MISSING', 'missing Idempotency-Key');
  let order;
  try {
    order = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'malformed JSON');
  }

  const fingerprint = createHash('sha256').update('POST /api/v1/sessions\n').update(raw).digest('hex');
  const redisKey = `idem:{${merchantId}}:${idempotencyKey}`;
  const owner = randomUUID();
  const [kind, value] = await redis.idemClaim(redisKey, owner, fingerprint, IDEMPOTENCY_LEASE_MS);
  if (kind === 'mismatch') throw new HttpError(422, 'IDEMPOTENCY_KEY_MISMATCH', 'key reused');
  if (kind === 'in_progress') throw new HttpError(409, 'IDEMPOTENCY_KEY_IN_USE', 'key in use');
  if (kind === 'completed') {
    const stored = JSON.parse(value);
    send(res, stored.status, stored.body, { 'idempotent-replayed': 'true' });
    return;
  }

  try {
    const sessionId = randomUUID();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    const items = (order.orderItems ?? []).map((i) => ({
      name: i.name,
      sku: i.sku,
      quantity: i.quantity,
      unitPriceMinor: minor(i.unitPrice),
    }));
    const amount = order.amount ?? {};
    const totalMinor = minor(amount.total);
    const shippingMinor = minor(amount.shipping);
    const taxMinor = minor(amount.tax);

    const providerSession = await callGr4vy(
      gr4vyBody(order, sessionId, items, shippingMinor, taxMinor, totalMinor),
    );

    const checkoutUrl = `${CHECKOUT_BASE_URL}/checkout/${sessionId}`;
    const createdAt = new Date();
    await pool.query({
      name: 'floor-insert-session',
      text: INSERT_SESSION,
      values: sessionInsertValues({
        id: sessionId,
        merchantId,
        orderReference: order.orderReference,
        idempotencyKey,
        requestFingerprint: fingerprint,
        status: 'PENDING',
        paymentMethod: order.paymentMethod,
        currency: order.currency,
        locale: order.locale,
        totalMinor,
        shippingMinor,
        taxMinor,
        items,
        customer: order.customer,
        shipping: order.shipping,
        metadata: order.additionalInformation,
        redirectUrls: order.redirectUrls,
        providerRouteId: ROUTE_ID,
        providerAdapter: 'gr4vy',
        providerSessionId: providerSession.id,
        checkoutUrl,
        routingScore: ROUTING_SCORE,
        routingCandidates: ROUTING_CANDIDATES,
        expiresAt,
        createdAt,
        updatedAt: createdAt,
      }),
    });

    const body = {
      sessionId,
      checkoutUrl,
      status: 'PENDING',
      routing: { selectedProvider: ROUTE_ID, score: ROUTING_SCORE },
      expiresAt: expiresAt.toISOString(),
      createdAt: createdAt.toISOString(),
    };
    await redis.idemComplete(
      redisKey,
      owner,
      JSON.stringify({ status: 201, headers: {}, body }),
      IDEMPOTENCY_TTL_SECONDS,
    );
    send(res, 201, body);
  } catch (error) {
    // Transient failure: give the key back so a retry runs again (as the service does).
    await redis.idemRelease(redisKey, owner).catch(() => {});
    throw error;
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/api/v1/sessions') {
    createSession(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 503;
      const code = error instanceof HttpError ? error.code : 'SERVICE_UNAVAILABLE';
      if (status >= 500) console.error(`[floor] ${status} ${code}: ${error?.message ?? error}`);
      if (!res.headersSent) send(res, status, { statusCode: status, code, message: error.message });
    });
    return;
  }
  if (req.method === 'GET' && req.url === '/health') {
    send(res, 200, { status: 'ok' });
    return;
  }
  req.resume();
  send(res, 404, { statusCode: 404, code: 'NOT_FOUND', message: 'not found' });
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[floor] ${signal}: closing`);
  server.close();
  server.closeAllConnections();
  agent.destroy();
  await Promise.allSettled([pool.end(), redis.quit()]);
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

// Fail at start (not under load) when Redis is unreachable or the schema is missing.
if (redis.status !== 'ready') {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis not ready after 10 s')), 10_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
await pool.query('SELECT 1 FROM checkout_sessions LIMIT 1');
server.listen(PORT, HOST, () => console.log(`[floor] listening on http://${HOST}:${PORT}`));
