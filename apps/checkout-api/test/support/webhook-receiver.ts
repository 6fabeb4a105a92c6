import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed, once verified with the secret(s) of its path. */
  event?: { id: string; type: string; createdAt: string; data: { session: Record<string, unknown> } };
  /** Which of the path's secrets verified it (standardwebhooks' Webhook.verify). */
  verifiedWith: string[];
}

/** An answer to give: a status, or `hang` to leave the request open until the receiver closes. */
export type Answer = number | 'hang';

/**
 * The merchant's side of a delivery, inside the test: an HTTP server on loopback that
 * verifies every request with the standardwebhooks library, as a storefront would.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  private readonly secrets = new Map<string, string[]>();
  private readonly answers = new Map<string, Answer[]>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new WebhookReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => receiver.handle(req.url ?? '/', req.headers, body, res));
    });
    return receiver;
  }

  /** A fresh path, its secrets, and the answers to give in turn (200 once they run out). */
  endpoint(name: string, answers: Answer[] = []): string {
    this.answers.set(`/${name}`, [...answers]);
    return `${this.url}/${name}`;
  }

  trust(url: string, ...secrets: string[]): void {
    const path = new URL(url).pathname;
    this.secrets.set(path, [...(this.secrets.get(path) ?? []), ...secrets]);
  }

  deliveriesTo(url: string): ReceivedDelivery[] {
    const path = new URL(url).pathname;
    return this.received.filter((delivery) => delivery.path === path);
  }

  /** Polls until `count` deliveries reached the path, or throws after the deadline. */
  async waitFor(url: string, count: number, deadlineMs = 30_000): Promise<ReceivedDelivery[]> {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const deliveries = this.deliveriesTo(url);
      if (deliveries.length >= count) return deliveries;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${url} got ${this.deliveriesTo(url).length} deliveries, expected ${count}`);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(path: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    const delivery: ReceivedDelivery = { path, headers, body, verifiedWith: [] };
    for (const secret of this.secrets.get(path) ?? []) {
      try {
        delivery.event = new Webhook(secret).verify(
          body,
          headers as Record<string, string>,
        ) as ReceivedDelivery['event'];
        delivery.verifiedWith.push(secret);
      } catch {
        // not signed with this one
      }
    }
    this.received.push(delivery);
    const answer = this.answers.get(path)?.shift() ?? 200;
    if (answer === 'hang') {
      this.hanging.add(res);
      return;
    }
    res.writeHead(answer, { 'content-type': 'text/plain' }).end('response bodies are never stored');
  }
}
