import { exportSPKI, generateKeyPair } from 'jose';
import { EnvError, loadSandboxOptions } from './env';

const noFiles = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

describe('loadSandboxOptions', () => {
  let pem: string;

  beforeAll(async () => {
    pem = await exportSPKI((await generateKeyPair('ES512', { extractable: true })).publicKey);
  });

  it('applies defaults', () => {
    expect(loadSandboxOptions({}, noFiles)).toEqual({
      port: 4010,
      host: '127.0.0.1',
      latencyMs: 0,
      faults: [],
      logLevel: 'warn',
      gr4vyPublicKeyPem: undefined,
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookSlim: false,
      webhookTimeoutMs: 3000,
    });
  });

  it('reads the webhook variables (the secret verbatim)', () => {
    const options = loadSandboxOptions(
      {
        SANDBOX_WEBHOOK_URL: ' http://127.0.0.1:3000/webhooks/gr4vy ',
        SANDBOX_WEBHOOK_SECRET: ' s3cret ',
        SANDBOX_WEBHOOK_SLIM: 'true',
        SANDBOX_WEBHOOK_TIMEOUT_MS: '500',
      },
      noFiles,
    );
    expect(options).toMatchObject({
      webhookUrl: 'http://127.0.0.1:3000/webhooks/gr4vy',
      webhookSecret: ' s3cret ',
      webhookSlim: true,
      webhookTimeoutMs: 500,
    });
  });

  it('reads every variable', () => {
    const options = loadSandboxOptions(
      {
        SANDBOX_PORT: '0',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_LATENCY_MS: '25',
        SANDBOX_FAULTS: JSON.stringify([{ mode: 'status', status: 503, remaining: 2 }]),
        SANDBOX_LOG_LEVEL: 'info',
        SANDBOX_GR4VY_PUBLIC_KEY: pem.replace(/\n/g, '\\n'),
      },
      noFiles,
    );
    expect(options).toMatchObject({ port: 0, host: '0.0.0.0', latencyMs: 25, logLevel: 'info' });
    expect(options.faults).toEqual([{ mode: 'status', status: 503, remaining: 2 }]);
    expect(options.gr4vyPublicKeyPem).toBe(pem);
  });

  it('reads the key from SANDBOX_GR4VY_PUBLIC_KEY_FILE', () => {
    const options = loadSandboxOptions({ SANDBOX_GR4VY_PUBLIC_KEY_FILE: '/keys/gr4vy.pem' }, (path) => {
      expect(path).toBe('/keys/gr4vy.pem');
      return pem;
    });
    expect(options.gr4vyPublicKeyPem).toBe(pem);
  });

  it.each([
    [{ SANDBOX_PORT: 'http' }, /SANDBOX_PORT/],
    [{ SANDBOX_PORT: '70000' }, /SANDBOX_PORT/],
    [{ SANDBOX_LATENCY_MS: '-5' }, /SANDBOX_LATENCY_MS/],
    [{ SANDBOX_LOG_LEVEL: 'loud' }, /SANDBOX_LOG_LEVEL/],
    [{ SANDBOX_FAULTS: '{' }, /SANDBOX_FAULTS is not valid JSON/],
    [{ SANDBOX_FAULTS: '{"mode":"reset"}' }, /SANDBOX_FAULTS must be a JSON array/],
    [{ SANDBOX_FAULTS: '[{"mode":"status"}]' }, /SANDBOX_FAULTS\[0\]\.status/],
    [{ SANDBOX_GR4VY_PUBLIC_KEY: 'garbage' }, /SANDBOX_GR4VY_PUBLIC_KEY:/],
    [{ SANDBOX_GR4VY_PUBLIC_KEY_FILE: '/missing.pem' }, /SANDBOX_GR4VY_PUBLIC_KEY_FILE: cannot read/],
    [{ SANDBOX_GR4VY_PUBLIC_KEY: 'a', SANDBOX_GR4VY_PUBLIC_KEY_FILE: 'b' }, /only one/],
    [{ SANDBOX_WEBHOOK_URL: 'http://localhost/hook' }, /SANDBOX_WEBHOOK_URL and SANDBOX_WEBHOOK_SECRET/],
    [{ SANDBOX_WEBHOOK_SECRET: 'x' }, /SANDBOX_WEBHOOK_URL and SANDBOX_WEBHOOK_SECRET/],
    [{ SANDBOX_WEBHOOK_URL: 'ftp://host/x', SANDBOX_WEBHOOK_SECRET: 'x' }, /SANDBOX_WEBHOOK_URL must be/],
    [{ SANDBOX_WEBHOOK_SLIM: 'yes' }, /SANDBOX_WEBHOOK_SLIM/],
    [{ SANDBOX_WEBHOOK_TIMEOUT_MS: '0' }, /SANDBOX_WEBHOOK_TIMEOUT_MS/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadSandboxOptions(env, noFiles)).toThrow(EnvError);
    expect(() => loadSandboxOptions(env, noFiles)).toThrow(message);
  });
});
