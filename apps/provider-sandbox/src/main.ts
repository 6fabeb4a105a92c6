/**
 * Entry point: `node dist/apps/provider-sandbox/src/main.js`.
 * The only file of the sandbox that reads process.env (see env.ts for the variables).
 */
import { readFileSync } from 'node:fs';
import { EnvError, loadSandboxOptions } from './env';
import { SandboxConfigError, startSandbox, type RunningSandbox } from './sandbox';

const SHUTDOWN_GRACE_MS = 5000;

function fail(message: string): never {
  process.stderr.write(`provider-sandbox: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let options;
  try {
    options = loadSandboxOptions(process.env, (path) => readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof EnvError) fail(err.message);
    throw err;
  }

  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (err) {
    if (err instanceof SandboxConfigError) fail(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      fail(`cannot listen on ${options.host}:${options.port} (${code}); check SANDBOX_HOST / SANDBOX_PORT`);
    }
    throw err;
  }
  sandbox.log.info(
    {
      url: sandbox.url,
      gr4vyJwtVerification: options.gr4vyPublicKeyPem !== undefined,
      latencyMs: options.latencyMs,
      webhookUrl: options.webhookUrl ?? null,
      webhookSlim: options.webhookSlim,
    },
    'provider-sandbox listening',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    sandbox.log.info({ signal }, 'provider-sandbox shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        sandbox.log.error({ err }, 'provider-sandbox failed to close');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
