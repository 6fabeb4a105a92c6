import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { load } from 'js-yaml';
import { ConfigError } from '@app/common';
import { ADAPTER_DEFINITIONS } from '@app/providers';
import { loadAppConfig } from './app-config';

const ROOT = resolve(__dirname, '../../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}

/** Every environment variable the service reads: the names passed to the EnvReader in config and adapters. */
function variablesReadByTheService(): string[] {
  const sources = [
    'apps/checkout-api/src/config/app-config.ts',
    ...['gr4vy', 'stripe'].flatMap((adapter) =>
      readdirSync(join(ROOT, 'libs/providers/src', adapter))
        .filter((file) => file.endsWith('.definition.ts') || file.endsWith('.mapper.ts'))
        .map((file) => `libs/providers/src/${adapter}/${file}`),
    ),
  ];
  const names = new Set<string>();
  for (const source of sources) {
    for (const match of read(source).matchAll(
      /\.(?:string|required|int|number|bool|oneOf|url)\(\s*'([A-Z][A-Z0-9_]+)'/g,
    )) {
      names.add(match[1]);
    }
  }
  return [...names].sort();
}

/** Docker Compose's ${NAME:-default} substitution, with an empty environment. */
function substitute(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml')) as { services: Record<string, ComposeService> };

  it('parses as YAML with postgres, redis, sandbox and api, each with a healthcheck', () => {
    for (const name of ['postgres', 'redis', 'sandbox', 'api']) {
      expect(compose.services[name]).toBeDefined();
    }
    for (const name of ['postgres', 'redis', 'sandbox'])
      expect(compose.services[name].healthcheck?.test).toBeDefined();
    expect(compose.services.api.build ?? compose.services.api.image).toBeDefined();
  });

  it('starts the api only once its dependencies are healthy', () => {
    expect(compose.services.api.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      sandbox: { condition: 'service_healthy' },
    });
  });

  it('gives the api every variable the config requires: its environment passes validation', () => {
    const environment = Object.fromEntries(
      Object.entries(compose.services.api.environment ?? {}).map(([key, value]) => [
        key,
        substitute(String(value)),
      ]),
    );
    // The key file is written at run time by the compose `keys` service; stand in a real one.
    const dir = mkdtempSync(join(tmpdir(), 'compose-keys-'));
    const keyFile = join(dir, 'gr4vy-private.pem');
    writeFileSync(
      keyFile,
      generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    expect(environment.GR4VY_PRIVATE_KEY_FILE).toBe('/keys/gr4vy-private.pem');
    environment.GR4VY_PRIVATE_KEY_FILE = keyFile;
    environment.PROVIDERS_CONFIG = join(ROOT, environment.PROVIDERS_CONFIG);
    let problems: string[] = [];
    try {
      loadAppConfig(environment, ADAPTER_DEFINITIONS);
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : [String(error)];
    }
    expect(problems).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('is multi-stage, installs production dependencies only, runs as a non-root user and checks readiness', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const user = /^USER (\S+)/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(dockerfile).toMatch(/^HEALTHCHECK[\s\S]*\/health\/ready/m);
  });
});

describe('.env.example and README', () => {
  it('document every variable the service reads', () => {
    const envExample = read('.env.example');
    const readme = read('README.md');
    const names = variablesReadByTheService();
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      expect({ name, inEnvExample: new RegExp(`^#?\\s*${name}=`, 'm').test(envExample) }).toEqual({
        name,
        inEnvExample: true,
      });
      expect({ name, inReadme: readme.includes(name) }).toEqual({ name, inReadme: true });
    }
  });
});
