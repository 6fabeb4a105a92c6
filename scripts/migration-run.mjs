/**
 * `npm run migration:run`: apply pending TypeORM migrations against
 * DATABASE_URL by running the built entry dist/apps/checkout-api/src/migrate.js
 * (it takes an advisory lock, migrates and exits). Builds first when dist is
 * missing. Environment and stdio are inherited; the exit code is propagated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runNpm } from './lib/services.mjs';

const ENTRY = path.join(ROOT, 'dist', 'apps', 'checkout-api', 'src', 'migrate.js');

async function main() {
  if (!fs.existsSync(ENTRY)) {
    console.log(`[migration:run] ${path.relative(ROOT, ENTRY)} not found, running npm run build first`);
    const code = await runNpm(['run', 'build']);
    if (code !== 0) return code;
    if (!fs.existsSync(ENTRY)) {
      console.error(`[migration:run] the build did not produce ${path.relative(ROOT, ENTRY)}`);
      return 1;
    }
  }
  if (!process.env.DATABASE_URL) {
    console.error(
      '[migration:run] warning: DATABASE_URL is not set (e.g. postgres://user:pass@host:5432/checkout)',
    );
  }

  const child = spawn(process.execPath, ['--enable-source-maps', ENTRY, ...process.argv.slice(2)], {
    cwd: ROOT,
    env: process.env,
    stdio: 'inherit',
  });
  const forward = (signal) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
  return new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`[migration:run] could not start node: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal); // die the same way
        return;
      }
      resolve(code ?? 1);
    });
  });
}

main().then((code) => {
  process.exitCode = code;
});
