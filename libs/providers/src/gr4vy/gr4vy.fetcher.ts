import http from 'node:http';
import https from 'node:https';
import type { Fetcher } from '@gr4vy/sdk/lib/http';

const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * The SDK's fetcher on node:http with keep-alive agents. The SDK builds its
 * Request and reads a Response as usual; only the transport is replaced, which
 * skips most of undici fetch's per-call machinery (measured in bench/: fetch,
 * web streams and signal plumbing were about a tenth of the service's CPU).
 */
export function keepAliveFetcher(options: { maxSockets?: number } = {}): Fetcher & { close(): void } {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    scheduling: 'lifo' as const,
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  const fetcher = async (input: Parameters<Fetcher>[0], init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body) headers['content-length'] = String(body.length);

    return new Promise<Response>((resolve, reject) => {
      const outgoing = (secure ? https : http).request(
        url,
        {
          method: request.method,
          headers,
          agent: secure ? agents.https : agents.http,
          signal: request.signal,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 502;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (value === undefined) continue;
              for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
            }
            resolve(
              new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: incoming.statusMessage,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
  return Object.assign(fetcher, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}
