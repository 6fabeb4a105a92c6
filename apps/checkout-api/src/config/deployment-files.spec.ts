import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { load, loadAll } from 'js-yaml';
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

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}

interface Container {
  command?: string[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: Array<{
    name: string;
    configMap?: { name: string };
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  }>;
}

describe('deploy/kubernetes', () => {
  const dir = 'deploy/kubernetes';
  const objects = readdirSync(join(ROOT, dir))
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) => loadAll(read(`${dir}/${file}`)) as K8sObject[]);
  const one = (kind: string, name?: string) => {
    const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
    expect({ kind, name, count: found.length }).toEqual({ kind, name, count: 1 });
    return found[0];
  };
  const deployment = one('Deployment');
  const pod = (
    deployment.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } }
  ).template;
  const container = pod.spec.containers[0];
  const job = one('Job');
  const jobPod = (job.spec as { template: { spec: PodSpec } }).template.spec;

  /** The environment the Deployment gives its container: envFrom ConfigMaps and Secrets, then env. */
  function deploymentEnvironment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      const ref = source.configMapRef ?? source.secretRef;
      const object = one(source.configMapRef ? 'ConfigMap' : 'Secret', ref?.name);
      Object.assign(env, object.data ?? {}, object.stringData ?? {});
    }
    for (const entry of container.env ?? []) env[entry.name] = entry.value ?? '';
    return env;
  }

  it('lists every manifest in its kustomization', () => {
    const kustomization = load(read(`${dir}/kustomization.yaml`)) as { resources: string[] };
    const files = readdirSync(join(ROOT, dir)).filter(
      (f) => f.endsWith('.yaml') && f !== 'kustomization.yaml',
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('has a Deployment of 3 replicas with readiness on /health/ready, liveness on /health/live, requests and limits', () => {
    expect((deployment.spec as { replicas: number }).replicas).toBe(3);
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
    for (const resource of ['cpu', 'memory']) {
      expect(container.resources?.requests?.[resource]).toBeDefined();
      expect(container.resources?.limits?.[resource]).toBeDefined();
    }
  });

  it('runs as a non-root user on a read-only root filesystem, the migration Job too', () => {
    for (const spec of [pod.spec, jobPod]) {
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      // A numeric uid: Kubernetes cannot check runAsNonRoot against the image's named user.
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const c of spec.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      }
    }
  });

  it('gives a terminating pod more time than its shutdown delay and drain, with a 5 s delay', () => {
    const env = deploymentEnvironment();
    expect(env.SHUTDOWN_DELAY_MS).toBe('5000');
    const config = loadAppConfig(validEnvironment(env), ADAPTER_DEFINITIONS);
    expect((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      config.shutdownDelayMs + config.shutdownDrainMs,
    );
  });

  it('leaves migrations to the Job, which runs the built migrate entry with the same DATABASE_URL Secret', () => {
    expect(deploymentEnvironment().DB_MIGRATIONS_RUN).toBe('false');
    const migrate = jobPod.containers[0];
    expect(migrate.command).toEqual(['node', 'dist/apps/checkout-api/src/migrate.js']);
    expect(read('apps/checkout-api/src/migrate.ts')).toContain("'DATABASE_URL'");
    expect(migrate.env).toEqual([
      {
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'checkout-api-secrets', key: 'DATABASE_URL' } },
      },
    ]);
    expect(one('Secret', 'checkout-api-secrets').stringData?.DATABASE_URL).toBeDefined();
  });

  it('selects the Deployment’s pods from the Service and the PodDisruptionBudget, and scales it with the HPA', () => {
    const labels = pod.metadata.labels;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    expect(matches((one('Service').spec as { selector: Record<string, string> }).selector)).toBe(true);
    const pdb = one('PodDisruptionBudget').spec as { selector: { matchLabels: Record<string, string> } };
    expect(matches(pdb.selector.matchLabels)).toBe(true);
    const hpa = one('HorizontalPodAutoscaler').spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(3);
  });

  it('sets only variables the service reads, split between a ConfigMap and a Secret', () => {
    const known = new Set(variablesReadByTheService());
    const configMap = Object.keys(one('ConfigMap', 'checkout-api-config').data ?? {});
    const secret = Object.keys(one('Secret', 'checkout-api-secrets').stringData ?? {});
    expect(configMap.length).toBeGreaterThan(0);
    expect(secret.length).toBeGreaterThan(0);
    expect([...configMap, ...secret].filter((name) => !known.has(name))).toEqual([]);
    expect(configMap.filter((name) => secret.includes(name))).toEqual([]);
    for (const name of ['DATABASE_URL', 'AUTH_JWT_SECRET', 'REDIS_PASSWORD']) expect(secret).toContain(name);
  });

  it('mounts every file a variable names, and passes the service’s validation once the placeholders are filled', () => {
    const env = deploymentEnvironment();
    const mounts = container.volumeMounts ?? [];
    for (const name of ['GR4VY_PRIVATE_KEY_FILE', 'REDIS_TLS_CA_FILE', 'PROVIDERS_CONFIG']) {
      const file = env[name];
      const mount = mounts.find((m) => file.startsWith(`${m.mountPath}/`));
      expect({ name, mounted: Boolean(mount) }).toEqual({ name, mounted: true });
      const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
      const fileName = file.slice((mount?.mountPath.length ?? 0) + 1);
      const provided = volume?.configMap
        ? Object.keys(one('ConfigMap', volume.configMap.name).data ?? {}).includes(fileName)
        : volume?.secret?.items?.some((item) => item.path === fileName);
      expect({ name, provided }).toEqual({ name, provided: true });
    }
    let problems: string[] = [];
    try {
      loadAppConfig(validEnvironment(env), ADAPTER_DEFINITIONS);
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : [String(error)];
    }
    expect(problems).toEqual([]);
  });

  /** The manifests' environment with the Secret placeholders filled in and mounted files standing in. */
  function validEnvironment(env: Record<string, string>): Record<string, string> {
    const files = mkdtempSync(join(tmpdir(), 'k8s-files-'));
    const write = (name: string, contents: string) => {
      const file = join(files, name);
      writeFileSync(file, contents);
      return file;
    };
    const routes = one('ConfigMap', 'checkout-api-routes').data?.['providers.json'] ?? '';
    expect(() => JSON.parse(routes)).not.toThrow();
    return {
      ...env,
      DATABASE_URL: env.DATABASE_URL.replace('REPLACE_ME', 'a-real-password'),
      REDIS_PASSWORD: 'a-real-redis-password',
      AUTH_JWT_SECRET: 'x'.repeat(48),
      GR4VY_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
      GR4VY_PRIVATE_KEY_FILE: write(
        'gr4vy.pem',
        generateKeyPairSync('ec', { namedCurve: 'secp521r1' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      ),
      REDIS_TLS_CA_FILE: write('ca.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
      PROVIDERS_CONFIG: write('providers.json', routes),
    };
  }
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
