import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { postWebhook } from './webhook-post';

describe('postWebhook', () => {
  let server: Server;
  let port: number;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
    answer = (res) => res.writeHead(204).end();
  });

  const post = (url: string, extra: { allowPrivateTargets?: boolean; timeoutMs?: number } = {}) =>
    postWebhook({
      url,
      headers: { 'content-type': 'application/json', 'webhook-id': 'evt_1' },
      body: '{"a":1}',
      timeoutMs: extra.timeoutMs ?? 2000,
      allowPrivateTargets: extra.allowPrivateTargets ?? true,
    });

  it('posts the body and headers and reports the status code', async () => {
    const result = await post(`http://127.0.0.1:${port}/hook`);
    expect(result).toMatchObject({ kind: 'response', statusCode: 204 });
    expect(received).toEqual([
      expect.objectContaining({
        body: '{"a":1}',
        headers: expect.objectContaining({ 'webhook-id': 'evt_1', 'content-type': 'application/json' }),
      }),
    ]);
  });

  it('reports a redirect as its status and does not follow it', async () => {
    answer = (res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    expect(await post(`http://127.0.0.1:${port}/hook`)).toMatchObject({ kind: 'response', statusCode: 302 });
    expect(received).toHaveLength(1);
  });

  it('gives up when no response comes within the timeout', async () => {
    answer = () => undefined;
    const result = await post(`http://127.0.0.1:${port}/slow`, { timeoutMs: 200 });
    expect(result).toMatchObject({ kind: 'error', error: 'no response within 200 ms' });
  });

  it('refuses a loopback IP literal without connecting', async () => {
    const result = await post(`http://127.0.0.1:${port}/hook`, { allowPrivateTargets: false });
    expect(result).toMatchObject({
      kind: 'error',
      error: 'address not allowed: 127.0.0.1 is a loopback address',
    });
    expect(received).toHaveLength(0);
  });

  it('refuses a host name whose address is loopback, checked on the address resolved for the socket', async () => {
    const result = await post(`http://localhost:${port}/hook`, { allowPrivateTargets: false });
    expect(result).toMatchObject({ kind: 'error' });
    expect(result.kind === 'error' && result.error).toMatch(
      /address not allowed: (127\.0\.0\.1|::1) is a loopback address/,
    );
    expect(received).toHaveLength(0);
  });

  it('refuses the decimal spelling of loopback', async () => {
    const result = await post(`http://2130706433:${port}/hook`, { allowPrivateTargets: false });
    expect(result).toMatchObject({
      kind: 'error',
      error: 'address not allowed: 127.0.0.1 is a loopback address',
    });
    expect(received).toHaveLength(0);
  });

  it('reports a refused connection as an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await post(`http://127.0.0.1:${closedPort}/hook`);
    expect(result).toMatchObject({ kind: 'error' });
    expect(result.kind === 'error' && result.error).toContain('ECONNREFUSED');
  });
});
