/**
 * `npm test`: build, start a private Redis + Postgres, run the Jest `unit`
 * project and then the `e2e` project against them, stop everything, and print
 * `N passed, N failed` as the very last line.
 *
 *   npm test [-- <extra jest args, e.g. a test path pattern>] [--no-build]
 *
 * Environment exported to Jest: DATABASE_URL, REDIS_URL, REDIS_SERVER_BIN, CHROMIUM_PATH, PROMTOOL_BIN,
 * TEST_PG_URL_ADMIN (superuser URL on the `postgres` database, to create
 * extra databases), TEST_TMP_DIR (scratch dir removed after the run), and
 * TEST_CONTROL_URL: a loopback endpoint through which the fault and topology
 * specs ask this process for more servers or for an outage (see controlRoutes);
 * whatever it starts stays a child of this process and is stopped with the rest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  UserFacingError,
  ensureChromium,
  ensurePromtool,
  ensureRedisServer,
  runCommand,
  runNpm,
  createTestTls,
  setShutdownHandler,
  startControlServer,
  startPostgres,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
  stopAllServices,
  stopChild,
} from './lib/services.mjs';
import { readReport, summarize } from './lib/jest-summary.mjs';

const log = (msg) => console.log(`[run-tests] ${msg}`);
const warn = (msg) => console.error(`[run-tests] ${msg}`);

const argv = process.argv.slice(2);
const noBuild = argv.includes('--no-build');
const jestArgs = argv.filter((a) => a !== '--no-build');

const resultsDir = path.join(ROOT, 'test-results');
const reportFiles = { unit: path.join(resultsDir, 'unit.json'), e2e: path.join(resultsDir, 'e2e.json') };
const dataRoot = path.join(ROOT, '.data');
const tmpDir = path.join(dataRoot, `test-${process.pid}-${Date.now()}`);

let interrupted = null;
let currentChild = null;

setShutdownHandler((signal) => {
  interrupted = signal;
  warn(`${signal} received: stopping the current step, then cleaning up (send it again to force)`);
  if (currentChild && currentChild.exitCode === null && currentChild.signalCode === null) {
    currentChild.kill(signal);
  }
  return undefined; // main() finishes the cleanup and exits
});

const track = (child) => {
  currentChild = child;
};

/** Remove `.data/test-<pid>-<time>` dirs left by runs that were killed. */
function removeStaleTestDirs() {
  let entries = [];
  try {
    entries = fs.readdirSync(dataRoot);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /^test-(\d+)-\d+$/.exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      alive = err.code === 'EPERM';
    }
    if (!alive) fs.rmSync(path.join(dataRoot, name), { recursive: true, force: true });
  }
}

function jestCommand(args) {
  const bin = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  if (fs.existsSync(bin)) return [process.execPath, [bin, ...args]];
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['jest', ...args]];
}

/* Jest writes its --json report when the run is over; if it then does not exit
 * (a spec leaked a socket/timer: "Jest did not exit one second after the test
 * run has completed") we stop it after this grace period and keep the report,
 * like --forceExit would, so CI cannot hang forever. */
const HANG_GRACE_MS = 20_000;

function watchForHang(child, reportFile, project) {
  const timer = setInterval(() => {
    let st;
    try {
      st = fs.statSync(reportFile);
    } catch {
      return;
    }
    if (Date.now() - st.mtimeMs < HANG_GRACE_MS || !readReport(reportFile)) return;
    clearInterval(timer);
    child.hungAfterReport = true;
    warn(
      `jest (${project}) wrote its report ${HANG_GRACE_MS / 1000}s ago but did not exit ` +
        '(open handles in a spec? try --detectOpenHandles); stopping it and keeping the report',
    );
    stopChild(child, { signal: 'SIGTERM', timeoutMs: 5000 });
  }, 1000);
  child.once('exit', () => clearInterval(timer));
}

async function runJest(project, extra, env) {
  const args = [
    '--ci',
    '--selectProjects',
    project,
    ...extra,
    '--passWithNoTests',
    '--json',
    `--outputFile=${path.relative(ROOT, reportFiles[project])}`,
    ...jestArgs,
  ];
  const [cmd, cmdArgs] = jestCommand(args);
  log(`jest ${args.join(' ')}`);
  let child = null;
  const code = await runCommand(cmd, cmdArgs, {
    env,
    onSpawn: (c) => {
      child = c;
      track(c);
      watchForHang(c, reportFiles[project], project);
    },
  });
  if (child?.hungAfterReport) return readReport(reportFiles[project])?.success ? 0 : 1;
  return code;
}

/**
 * What a spec may ask for through TEST_CONTROL_URL (POST, JSON in and out):
 *   /postgres/stop, /postgres/start   an outage of the shared Postgres (same data, same port)
 *   /redis/cluster {tls?}             a fresh Redis Cluster, 3 masters + 3 replicas, password-protected
 *   /redis/sentinel {tls?}            a fresh primary + replica watched by 3 sentinels (both password-protected)
 *   /redis/single {tls?}              a fresh password-protected Redis
 *   /redis/stop {id}                  stop one of those
 * With tls, the servers speak TLS only, with a certificate from the CA in the answer's caFile. The
 * answers carry the node pids, so a spec can kill one as a crash would.
 */
function controlRoutes({ pg, redisBin, dir }) {
  const topologies = new Map();
  let seq = 0;
  const secret = () => crypto.randomBytes(12).toString('hex');
  const start = async (kind, body, launch) => {
    const id = `${kind}-${++seq}`;
    const tls = body.tls ? await createTestTls(path.join(dir, 'tls')) : undefined;
    const topology = await launch({
      bin: redisBin,
      dir: path.join(dir, id),
      logFile: path.join(resultsDir, `${id}.log`),
      password: secret(),
      tls,
    });
    topologies.set(id, topology);
    const info = { id, ...topology, caFile: tls?.caFile };
    delete info.stop;
    return info;
  };
  return {
    'POST /postgres/stop': () => pg.stopServer(),
    'POST /postgres/start': () => pg.startServer(),
    'POST /redis/cluster': (body) => start('cluster', body, startRedisCluster),
    'POST /redis/sentinel': (body) =>
      start('sentinel', body, (options) => startRedisSentinel({ ...options, sentinelPassword: secret() })),
    'POST /redis/single': (body) =>
      start('single', body, async (options) => {
        const redis = await startRedis(options);
        return {
          url: redis.url,
          port: redis.port,
          pid: redis.pid,
          password: options.password,
          stop: redis.stop,
        };
      }),
    'POST /redis/stop': async ({ id }) => {
      await topologies.get(id)?.stop();
      topologies.delete(id);
    },
  };
}

async function main() {
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const file of Object.values(reportFiles)) fs.rmSync(file, { force: true });
  removeStaleTestDirs();

  const problems = [];
  const codes = {};

  let buildOk = true;
  if (!noBuild && !interrupted) {
    log('npm run build');
    const code = await runNpm(['run', 'build'], { onSpawn: track });
    buildOk = code === 0;
    if (!buildOk) problems.push(`build failed (exit ${code}); e2e tests need the built apps and are skipped`);
  }

  let promtoolEnv = {};
  if (!interrupted) {
    try {
      promtoolEnv = { PROMTOOL_BIN: await ensurePromtool() };
    } catch (err) {
      // The alert-rule specs then fail with their own message; nothing is skipped.
      const msg = err instanceof UserFacingError ? err.message : (err?.stack ?? String(err));
      problems.push(`could not provide promtool; the alert-rule tests will fail:\n${msg}`);
      warn(problems[problems.length - 1]);
    }
  }

  let serviceEnv = null;
  try {
    if (!interrupted) {
      try {
        const redisBin = await ensureRedisServer();
        const chromium = await ensureChromium();
        fs.mkdirSync(tmpDir, { recursive: true });
        const [redis, pg] = await Promise.all([
          startRedis({
            bin: redisBin,
            dir: path.join(tmpDir, 'redis'),
            logFile: path.join(resultsDir, 'redis.log'),
          }),
          startPostgres({
            dataDir: path.join(tmpDir, 'postgres'),
            persistent: false,
            logFile: path.join(resultsDir, 'postgres.log'),
          }),
        ]);
        log(`redis ${redis.url} (pid ${redis.pid})`);
        log(`postgres ${pg.url.replace(/:[^:@/]*@/, ':***@')} (pid ${pg.pid})`);
        const control = await startControlServer(controlRoutes({ pg, redisBin, dir: tmpDir }));
        serviceEnv = {
          DATABASE_URL: pg.url,
          REDIS_URL: redis.url,
          REDIS_SERVER_BIN: redisBin,
          CHROMIUM_PATH: chromium,
          TEST_PG_URL_ADMIN: pg.adminUrl,
          TEST_TMP_DIR: tmpDir,
          TEST_CONTROL_URL: control.url,
        };
      } catch (err) {
        const msg = err instanceof UserFacingError ? err.message : (err?.stack ?? String(err));
        problems.push(`could not provide Redis/Postgres/Chromium; e2e tests are skipped:\n${msg}`);
        warn(problems[problems.length - 1]);
      }
    }

    const env = { ...process.env, ...promtoolEnv, ...(serviceEnv ?? {}) };
    if (!interrupted) codes.unit = await runJest('unit', [], env);
    if (!interrupted && serviceEnv && buildOk) {
      // --forceExit: a leaked handle in an e2e spec must not hang CI forever.
      codes.e2e = await runJest('e2e', ['--runInBand', '--forceExit'], env);
    } else if (!interrupted) {
      warn('skipping the e2e project (see above)');
    }
  } finally {
    currentChild = null;
    await stopAllServices();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  for (const p of problems) warn(p);
  if (interrupted) warn(`interrupted by ${interrupted}`);

  const { failed, line } = summarize([
    { report: readReport(reportFiles.unit), exitCode: codes.unit ?? null },
    { report: readReport(reportFiles.e2e), exitCode: codes.e2e ?? null },
  ]);
  const jestFailed = Object.values(codes).some((c) => c !== 0);
  console.log(line);
  if (interrupted) return interrupted === 'SIGTERM' ? 143 : interrupted === 'SIGHUP' ? 129 : 130;
  return failed > 0 || jestFailed || problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    console.error(err?.stack ?? err);
    await stopAllServices().catch(() => {});
    fs.rmSync(tmpDir, { recursive: true, force: true });
    const s = summarize([readReport(reportFiles.unit), readReport(reportFiles.e2e)]);
    console.log(`${s.passed} passed, ${s.failed + 1} failed`);
    process.exitCode = 1;
  },
);
