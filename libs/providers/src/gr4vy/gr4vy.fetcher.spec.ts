import { createServer, IncomingMessage, Server } from 'node:http';
import { keepAliveFetcher } from './gr4vy.fetcher';

describe('keepAliveFetcher', () => {
  let server: Server;
  let url: string;
  const seen: Array<{
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
    socket: unknown;
  }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body, socket: req.socket });
        if (req.url === '/empty') return res.writeHead(204).end();
        if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000);
        res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the method, headers and body of the SDK’s Request and returns its status, headers and body', async () => {
    const fetcher = keepAliveFetcher();
    const res = await fetcher(
      new Request(`${url}/checkout/sessions?x=1`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: '{"amount":1}',
      }),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-multi')).toBe('a, b');
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ method: 'POST', url: '/checkout/sessions?x=1', body: '{"amount":1}' });
    expect(last.headers).toMatchObject({ authorization: 'Bearer t', 'content-length': '12' });
    fetcher.close();
  });

  it('reuses one connection across calls', async () => {
    const fetcher = keepAliveFetcher();
    seen.length = 0;
    for (let i = 0; i < 3; i++) await (await fetcher(`${url}/a`)).text();
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    fetcher.close();
  });

  it('answers a bodiless status with an empty body', async () => {
    const fetcher = keepAliveFetcher();
    const res = await fetcher(`${url}/empty`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    fetcher.close();
  });

  it('stops when the request’s signal aborts', async () => {
    const fetcher = keepAliveFetcher();
    const controller = new AbortController();
    const pending = fetcher(`${url}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/i);
    fetcher.close();
  });

  it('rejects on a refused connection', async () => {
    const fetcher = keepAliveFetcher();
    await expect(fetcher('http://127.0.0.1:1/')).rejects.toThrow();
    fetcher.close();
  });
});
