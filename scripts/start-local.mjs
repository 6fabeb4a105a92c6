/**
 * `npm run start:local`: everything needed to try the API with no configuration.
 *
 *   build (skip with --no-build) -> Redis (.data/redis) -> Postgres (.data/postgres)
 *   -> dev secrets (.data/local) -> provider sandbox (its Gr4vy and Stripe webhooks
 *   pointed at the API, with generated secrets) -> checkout-api
 *
 * Any variable already set in the caller's environment wins over the defaults
 * below; DATABASE_URL / REDIS_URL set by the caller also skip starting the
 * local Postgres / Redis. Ctrl+C (or SIGTERM) stops api, sandbox, redis and
 * postgres in that order and exits 0; if one of them dies on its own the rest
 * is stopped and the script exits 1.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  ROOT,
  UserFacingError,
  createLineBuffer,
  ensureRedisServer,
  forEachLine,
  generateDevSecrets,
  preferredOrFreePort,
  runNpm,
  setShutdownHandler,
  signDevToken,
  sleep,
  startPostgres,
  startRedis,
  stopChild,
  trackChild,
  waitForHttpOk,
} from './lib/services.mjs';

const log = (msg) => console.log(`[start-local] ${msg}`);
const argv = process.argv.slice(2);
const noBuild = argv.includes('--no-build');

const API_ENTRY = 'dist/apps/checkout-api/src/main.js';
const SANDBOX_ENTRY = 'dist/apps/provider-sandbox/src/main.js';
const DATA = path.join(ROOT, '.data');

/** Started things, in start order: {name, stop(): Promise<void>} */
const started = [];
let shuttingDown = false;

/** The Sessions API's documented example order (140.76 AUD = 1 × 119 + 9.95 + 11.81), shared with the tests and the bench. */
const EXAMPLE_BODY = JSON.parse(fs.readFileSync(path.join(ROOT, 'config/example-order.json'), 'utf8'));

/** Defaults overridden by whatever the caller already exported. */
const withCallerEnv = (defaults) => ({ ...defaults, ...process.env });

/**
 * Spawn a Node app from dist/, prefixing its output, remembering its last lines,
 * and treating an exit we did not ask for as fatal.
 */
function startApp(name, entry, env) {
  const child = trackChild(
    spawn(process.execPath, ['--enable-source-maps', entry], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = createLineBuffer(200);
  const prefix = `[${name}]`;
  forEachLine(child.stdout, (line) => {
    output.push(line);
    console.log(`${prefix} ${line}`);
  });
  forEachLine(child.stderr, (line) => {
    output.push(line);
    console.error(`${prefix} ${line}`);
  });
  child.once('error', (err) => console.error(`${prefix} failed to spawn: ${err.message}`));
  child.once('exit', (code, signal) => onUnexpectedExit(name, code, signal));
  started.push({ name, stop: () => stopChild(child, { signal: 'SIGTERM', timeoutMs: 10_000 }) });
  return { child, output };
}

function onUnexpectedExit(name, code, signal) {
  // A terminal Ctrl+C reaches the children at the same time as us: give our
  // own signal handler a moment to mark the shutdown as intended.
  setTimeout(() => {
    if (shuttingDown) return;
    console.error(
      `[start-local] ${name} exited unexpectedly (code ${code}, signal ${signal}); stopping the rest`,
    );
    shutdown(1);
  }, 300);
}

function watchService(name, child) {
  child?.once('exit', (code, signal) => onUnexpectedExit(name, code, signal));
}

/** Stop api, sandbox, redis, postgres (reverse of the order below) and exit. */
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  const order = ['api', 'sandbox', 'redis', 'postgres'];
  const byName = new Map(started.map((s) => [s.name, s]));
  for (const name of order) {
    const s = byName.get(name);
    if (!s) continue;
    try {
      await s.stop();
      log(`${name} stopped`);
    } catch (err) {
      console.error(`[start-local] stopping ${name} failed: ${err?.message ?? err}`);
    }
  }
  process.exit(code);
}

/** The sandbox sends its signed Stripe events to the local API, as a Stripe webhook endpoint would. */
async function configureStripeWebhooks(sandboxUrl, url, secret) {
  const res = await fetch(`${sandboxUrl}/__sandbox/stripe/webhooks`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, secret }),
  });
  if (!res.ok) {
    throw new UserFacingError(
      `configuring the sandbox's Stripe webhooks failed: HTTP ${res.status} ${await res.text()}`,
    );
  }
  log(`sandbox sends Stripe events to ${url}`);
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

async function main() {
  setShutdownHandler(async (signal) => {
    log(`${signal} received, shutting down`);
    await shutdown(0);
  });

  if (!noBuild) {
    log('npm run build');
    const code = await runNpm(['run', 'build']);
    if (code !== 0) throw new UserFacingError(`npm run build failed (exit ${code})`);
  }
  for (const entry of [API_ENTRY, SANDBOX_ENTRY]) {
    if (!fs.existsSync(path.join(ROOT, entry))) {
      throw new UserFacingError(`${entry} is missing: run "npm run build" (or drop --no-build)`);
    }
  }
  await fsp.mkdir(path.join(DATA, 'logs'), { recursive: true });

  // Redis
  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    log(`using REDIS_URL from the environment: ${redisUrl}`);
  } else {
    const bin = await ensureRedisServer();
    const redis = await startRedis({
      bin,
      preferredPort: 6379,
      dir: path.join(DATA, 'redis'),
      persistent: true,
      logFile: path.join(DATA, 'logs', 'redis.log'),
    });
    started.push({ name: 'redis', stop: () => redis.stop() });
    watchService('redis', redis.child);
    redisUrl = redis.url;
    log(`redis    ${redis.url}`);
  }
  if (shuttingDown) return;

  // Postgres
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    log('using DATABASE_URL from the environment');
  } else {
    const pg = await startPostgres({
      preferredPort: 5432,
      dataDir: path.join(DATA, 'postgres'),
      persistent: true,
      logFile: path.join(DATA, 'logs', 'postgres.log'),
    });
    started.push({ name: 'postgres', stop: () => pg.stop() });
    watchService('postgres', pg.child);
    databaseUrl = pg.url;
    log(`postgres ${pg.url} (data in ${path.relative(ROOT, pg.dataDir) || pg.dataDir})`);
  }
  if (shuttingDown) return;

  // Dev secrets (created once, reused)
  const secrets = await generateDevSecrets(path.join(DATA, 'local'));
  const rel = (p) => path.relative(ROOT, p);

  // The API's port is chosen first: the sandbox sends its webhooks there.
  const apiPort = Number(process.env.PORT) || (await preferredOrFreePort(3000));
  if (!process.env.PORT && apiPort !== 3000) log(`port 3000 is busy, the API uses ${apiPort}`);
  const webhookSecret = crypto
    .createHash('sha256')
    .update(`gr4vy-webhook:${secrets.jwtSecret}`)
    .digest('hex');
  // Stripe's endpoint secrets look like whsec_…; derived the same way, so it is stable across restarts.
  const stripeWebhookSecret = `whsec_${crypto
    .createHash('sha256')
    .update(`stripe-webhook:${secrets.jwtSecret}`)
    .digest('hex')}`;

  // Provider sandbox
  const sandboxPort = Number(process.env.SANDBOX_PORT) || (await preferredOrFreePort(4010));
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = startApp(
    'sandbox',
    SANDBOX_ENTRY,
    withCallerEnv({
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_GR4VY_PUBLIC_KEY_FILE: rel(secrets.publicKeyFile),
      SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${apiPort}/webhooks/gr4vy`,
      SANDBOX_WEBHOOK_SECRET: webhookSecret,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
    }),
  );
  try {
    await waitForHttpOk(`${sandboxUrl}/__sandbox/health`, { timeoutMs: 60_000, child: sandbox.child });
  } catch (err) {
    console.error(`[start-local] provider sandbox did not become healthy: ${err.message}`);
    console.error(`[start-local] last sandbox output:\n${sandbox.output.text()}`);
    await shutdown(1);
  }
  log(`sandbox  ${sandboxUrl}`);
  await configureStripeWebhooks(
    sandboxUrl,
    `http://127.0.0.1:${apiPort}/webhooks/stripe`,
    stripeWebhookSecret,
  );

  // checkout-api
  const apiEnv = withCallerEnv({
    PORT: String(apiPort),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_JWT_SECRET: secrets.jwtSecret,
    GR4VY_ID: 'sandbox',
    GR4VY_ENVIRONMENT: 'sandbox',
    GR4VY_SERVER_URL: sandboxUrl,
    GR4VY_PRIVATE_KEY_FILE: rel(secrets.privateKeyFile),
    GR4VY_SECURE_FIELDS_URL: `${sandboxUrl}/secure-fields/latest/secure-fields.js`,
    GR4VY_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: sandboxUrl,
    STRIPE_SECRET_KEY: 'sk_test_local_sandbox',
    STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
    PROVIDERS_CONFIG: 'config/providers.local.json',
    CHECKOUT_BASE_URL: `http://localhost:${apiPort}`,
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
  });
  const api = startApp('api', API_ENTRY, apiEnv);
  try {
    await waitForHttpOk(`http://127.0.0.1:${apiPort}/health/ready`, { timeoutMs: 60_000, child: api.child });
  } catch (err) {
    if (shuttingDown) return;
    console.error(`[start-local] checkout-api did not become ready: ${err.message}`);
    console.error(`[start-local] last checkout-api output:\n${api.output.text()}`);
    await shutdown(1);
  }
  if (shuttingDown) return;

  // Ready: print how to use it.
  const base = `http://localhost:${apiPort}`;
  const token = await signDevToken({
    secret: apiEnv.AUTH_JWT_SECRET,
    sub: 'merchant_local',
    ttlSeconds: 24 * 3600,
    issuer: apiEnv.AUTH_JWT_ISSUER,
    audience: apiEnv.AUTH_JWT_AUDIENCE,
  });
  const body = JSON.stringify({ ...EXAMPLE_BODY, orderReference: `ORD-${Date.now()}` });
  const auth = `-H ${shellQuote(`Authorization: Bearer ${token}`)}`;
  console.log(
    [
      '',
      `checkout-api is ready on ${base}   (sandbox ${sandboxUrl}; Ctrl+C stops everything)`,
      '',
      'Create a session (token valid 24h, merchant "merchant_local"):',
      '',
      `curl -sS -X POST ${base}/api/v1/sessions -H 'Content-Type: application/json' ${auth} ` +
        `-H 'Idempotency-Key: ${crypto.randomUUID()}' -d ${shellQuote(body)}`,
      '',
      'Then fetch it (replace <id> with the id from the response above):',
      '',
      `curl -sS ${base}/api/v1/sessions/<id> ${auth}`,
      '',
      'Each orderReference can have one live session: change it (and the Idempotency-Key) for another one.',
      'The same order with "currency":"EUR" goes to Stripe: open its checkoutUrl, press Approve, and the',
      "sandbox's signed webhook completes the session.",
      '',
    ].join('\n'),
  );
  // Keep running until a signal or an unexpected child exit.
  for (;;) await sleep(60_000);
}

main().catch(async (err) => {
  if (shuttingDown) return;
  console.error(
    `[start-local] ${err instanceof UserFacingError ? err.message : (err?.stack ?? err?.message ?? err)}`,
  );
  await shutdown(1);
});
