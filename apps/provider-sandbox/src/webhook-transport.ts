import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One signed POST per event, as both providers deliver them: no retries, a
 * timeout per delivery, and every request in flight dropped on close.
 */
export class WebhookTransport {
  private readonly requests = new Set<ClientRequest>();

  constructor(readonly timeoutMs: number) {}

  /** Resolves with the receiver's status once its response has been read. */
  post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const payload = Buffer.from(body, 'utf8');
      const req = send(target, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length) },
        agent: false,
      });
      this.requests.add(req);
      const timer = setTimeout(
        () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const finish = () => {
        clearTimeout(timer);
        this.requests.delete(req);
      };
      req.on('response', (res) => {
        res.on('error', (err) => {
          finish();
          reject(err);
        });
        res.on('end', () => {
          finish();
          resolve(res.statusCode ?? 0);
        });
        res.resume();
      });
      req.on('error', (err) => {
        finish();
        reject(err);
      });
      req.end(payload);
    });
  }

  close(): void {
    for (const req of this.requests) req.destroy(new Error('sandbox closed'));
    this.requests.clear();
  }
}
