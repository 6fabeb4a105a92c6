import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { requiredEnv } from './harness';
import { freePort } from './redis-process';

const SLOTS = 16384;

export interface ClusterMaster {
  port: number;
  /** Inclusive slot range this master serves. */
  slots: [number, number];
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis cluster: ${what} did not happen`);
}

/**
 * A private Redis Cluster of `masters` masters (no replicas) on free ports, slots split evenly.
 * Both the client and the cluster-bus ports are chosen explicitly, so nothing assumes port + 10000 is free.
 */
export class RedisClusterProcess {
  private constructor(
    readonly masters: ClusterMaster[],
    private readonly children: ChildProcess[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisClusterProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
    const nodes: ClusterMaster[] = [];
    const children: ChildProcess[] = [];
    const cluster = new RedisClusterProcess(nodes, children, dir);
    try {
      const busPorts: number[] = [];
      for (let i = 0; i < masters; i++) {
        const port = await freePort();
        const busPort = await freePort();
        const from = Math.floor((SLOTS * i) / masters);
        const to = Math.floor((SLOTS * (i + 1)) / masters) - 1;
        nodes.push({ port, slots: [from, to] });
        busPorts.push(busPort);
        children.push(
          spawn(
            requiredEnv('REDIS_SERVER_BIN'),
            [
              ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
              ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
              ...['--dir', dir, '--save', '', '--appendonly', 'no'],
            ],
            { stdio: 'ignore' },
          ),
        );
      }
      const admins = nodes.map((node) => {
        const admin = new Redis({ port: node.port, host: '127.0.0.1' });
        // Refused connections are expected until the node listens; ioredis retries by itself.
        admin.on('error', () => undefined);
        return admin;
      });
      try {
        for (const admin of admins) await until('node start', async () => (await admin.ping()) === 'PONG');
        for (const [i, admin] of admins.entries()) {
          await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(nodes[i].slots[0]), String(nodes[i].slots[1]));
          if (i > 0)
            await admin.call('CLUSTER', 'MEET', '127.0.0.1', String(nodes[0].port), String(busPorts[0]));
        }
        for (const admin of admins) {
          await until('cluster_state:ok on every node', async () => {
            const info = String(await admin.call('CLUSTER', 'INFO'));
            return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`);
          });
        }
      } finally {
        for (const admin of admins) admin.disconnect();
      }
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  get startupNodes(): Array<{ host: string; port: number }> {
    return this.masters.map((node) => ({ host: '127.0.0.1', port: node.port }));
  }

  /** The master that serves `slot`. */
  masterOf(slot: number): ClusterMaster {
    const master = this.masters.find((node) => slot >= node.slots[0] && slot <= node.slots[1]);
    if (!master) throw new Error(`no master serves slot ${slot}`);
    return master;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
