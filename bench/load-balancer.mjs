/**
 * A small round-robin TCP load balancer for the multi-instance benchmark
 * (`npm run bench -- --instances N`): each new client connection goes to the next
 * backend in turn and is piped both ways, as an L4 balancer does. HTTP keep-alive
 * connections stay on their backend, so the load spreads by connection.
 *
 *   PORT=8080 BACKENDS=127.0.0.1:3001,127.0.0.1:3002 node bench/load-balancer.mjs
 *
 * Protocol-agnostic; SIGTERM closes it. It prints one line when
 * listening and, on exit, how many connections each backend got.
 */
import net from 'node:net';
import { pathToFileURL } from 'node:url';

export function startLoadBalancer({ port = 0, host = '127.0.0.1', backends }) {
  if (!backends?.length) throw new Error('startLoadBalancer: at least one backend is required');
  const counts = backends.map(() => 0);
  const sockets = new Set();
  let next = 0;
  const server = net.createServer((client) => {
    const index = next;
    next = (next + 1) % backends.length;
    counts[index] += 1;
    const upstream = net.connect(backends[index]);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    // A failed side takes the other down with it; the client sees a reset, as behind a real balancer.
    client.once('error', () => upstream.destroy());
    upstream.once('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        counts: () => [...counts],
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

function parseBackends(list) {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.lastIndexOf(':');
      return { host: entry.slice(0, i), port: Number(entry.slice(i + 1)) };
    });
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const backends = parseBackends(process.env.BACKENDS ?? '');
  const balancer = await startLoadBalancer({ port: Number(process.env.PORT ?? 0), backends });
  console.log(`load balancer ${balancer.url} -> ${backends.map((b) => `${b.host}:${b.port}`).join(', ')}`);
  const stop = async () => {
    console.log(`connections per backend: ${balancer.counts().join(', ')}`);
    await balancer.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
