import { readFileSync } from 'node:fs';
import Redis, { Cluster } from 'ioredis';
import { requiredEnv } from './harness';

/* The test runner owns every server; a spec asks it for more, or for an outage, over TEST_CONTROL_URL. */
async function control<T>(path: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${requiredEnv('TEST_CONTROL_URL')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface RedisNode {
  port: number;
  pid: number;
}

interface Topology {
  id: string;
  password: string;
  caFile?: string;
}

export interface ClusterTopology extends Topology {
  seeds: string;
  nodes: RedisNode[];
}

export interface SentinelTopology extends Topology {
  sentinels: string;
  name: string;
  primary: RedisNode;
  replicas: RedisNode[];
  sentinelPassword: string;
}

export interface SingleTopology extends Topology {
  url: string;
  port: number;
  pid: number;
}

export const topologies = {
  /** 3 masters + 3 replicas, password-protected; with tls, TLS only. */
  cluster: (options: { tls?: boolean } = {}) => control<ClusterTopology>('/redis/cluster', options),
  /** 1 primary + 1 replica watched by 3 sentinels; data nodes and sentinels have their own passwords. */
  sentinel: (options: { tls?: boolean } = {}) => control<SentinelTopology>('/redis/sentinel', options),
  single: (options: { tls?: boolean } = {}) => control<SingleTopology>('/redis/single', options),
  stop: (topology: Topology) => control<object>('/redis/stop', { id: topology.id }),
};

/** An outage of the shared Postgres: it stops (fast shutdown) and comes back on the same port with its data. */
export const postgresServer = {
  stop: () => control<object>('/postgres/stop'),
  start: () => control<object>('/postgres/start'),
};

function tlsEnv(topology: Topology): Record<string, string> {
  return topology.caFile ? { REDIS_TLS: 'true', REDIS_TLS_CA_FILE: topology.caFile } : {};
}

/** The service's Redis settings for a topology, replacing the harness's REDIS_URL (empty means unset). */
export function clusterEnv(topology: ClusterTopology): Record<string, string> {
  return {
    REDIS_URL: '',
    REDIS_CLUSTER_NODES: topology.seeds,
    REDIS_PASSWORD: topology.password,
    ...tlsEnv(topology),
  };
}

export function sentinelEnv(topology: SentinelTopology): Record<string, string> {
  return {
    REDIS_URL: '',
    REDIS_SENTINELS: topology.sentinels,
    REDIS_SENTINEL_NAME: topology.name,
    REDIS_SENTINEL_PASSWORD: topology.sentinelPassword,
    REDIS_PASSWORD: topology.password,
    ...tlsEnv(topology),
  };
}

const hostPorts = (list: string) =>
  list.split(',').map((entry) => ({ host: '127.0.0.1', port: Number(entry.split(':')[1]) }));

function tlsOption(topology: Topology) {
  return topology.caFile ? { tls: { ca: readFileSync(topology.caFile) } } : {};
}

/** A client of the test's own, to look at what the service stored and where. */
export function clusterClient(topology: ClusterTopology): Cluster {
  return new Cluster(hostPorts(topology.seeds), {
    redisOptions: { password: topology.password, ...tlsOption(topology) },
  });
}

export function sentinelClient(topology: SentinelTopology): Redis {
  return new Redis({
    sentinels: hostPorts(topology.sentinels),
    name: topology.name,
    password: topology.password,
    sentinelPassword: topology.sentinelPassword,
    ...(topology.caFile
      ? { ...tlsOption(topology), sentinelTLS: tlsOption(topology).tls, enableTLSForSentinelMode: true }
      : {}),
  });
}

/** A direct connection to one node, e.g. to ask it for the cluster's view. */
export function nodeClient(topology: Topology, port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, password: topology.password, ...tlsOption(topology) });
}

/** The port of the master serving `slot`, in CLUSTER SLOTS as one node sees it. */
export async function masterOfSlot(node: Redis, slot: number): Promise<number> {
  const range = (await node.cluster('SLOTS')).find(([from, to]) => from <= slot && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return range[2][1];
}

/* From CLUSTER NODES: CLUSTER SLOTS leaves out a replica until it has replicated something. */
export async function replicasOf(node: Redis, masterPort: number): Promise<number[]> {
  const nodes = ((await node.cluster('NODES')) as string)
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([id, address, flags, master]) => ({
      id,
      port: Number(address.split('@')[0].split(':')[1]),
      flags,
      master,
    }));
  const masterId = nodes.find((n) => n.port === masterPort)?.id;
  return nodes.filter((n) => n.flags.includes('slave') && n.master === masterId).map((n) => n.port);
}

/** The Cluster slot of a key (of its hash tag, for keys like `idem:{merchant}:...`). */
export async function slotOf(node: Redis, key: string): Promise<number> {
  return Number(await node.cluster('KEYSLOT', key));
}

/** Dies at once, as in a crash or a lost machine. */
export function crash(node: RedisNode): void {
  process.kill(node.pid, 'SIGKILL');
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
