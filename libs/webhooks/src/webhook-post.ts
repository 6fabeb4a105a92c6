import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { request as httpRequest, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { classifyAddress, describeRefusedAddress } from './address-rules';
import { urlHost } from './webhook-url';

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: skip the address check (local runs and tests). */
  allowPrivateTargets: boolean;
}

export type WebhookPostResult =
  | { kind: 'response'; statusCode: number; durationMs: number }
  | { kind: 'error'; error: string; durationMs: number };

export class RefusedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

/** The first non-public address among those a lookup returned, as an error; null when all are public. */
function refusal(addresses: readonly LookupAddress[]): RefusedAddressError | null {
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind) return new RefusedAddressError(`address not allowed: ${describeRefusedAddress(address, kind)}`);
  }
  return null;
}

/**
 * A resolver for the socket itself: the connection goes to an address this function
 * returned and checked, so a name that resolves differently the second time (DNS
 * rebinding) still cannot reach inside. Every address must be public, not just one.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const refused = refusal(addresses);
    if (refused) return callback(refused, '', 0);
    if (addresses.length === 0) return callback(new Error(`no address for ${hostname}`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

function describeError(error: unknown): string {
  if (error instanceof RefusedAddressError) return error.message;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (typeof code === 'string' ? `${code}: ${message}` : message).slice(0, 255);
}

/**
 * POSTs one delivery. The answer is the status code alone: the response body is
 * neither read nor kept, redirects are not followed (a 3xx is just a status), and
 * the whole exchange, from resolving the name to the response headers, has one deadline.
 */
export function postWebhook(post: WebhookPost): Promise<WebhookPostResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const failed = (error: unknown): WebhookPostResult => ({
    kind: 'error',
    error: describeError(error),
    durationMs: elapsed(),
  });
  let url: URL;
  try {
    url = new URL(post.url);
  } catch (error) {
    return Promise.resolve(failed(error));
  }
  const host = urlHost(url);
  if (!post.allowPrivateTargets && isIP(host)) {
    // An IP literal is connected to without any lookup: check it here.
    const refused = refusal([{ address: host, family: isIP(host) }]);
    if (refused) return Promise.resolve(failed(refused));
  }
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
    agent: false,
    lookup: post.allowPrivateTargets ? undefined : publicOnlyLookup,
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: WebhookPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (response) => {
      finish({ kind: 'response', statusCode: response.statusCode ?? 0, durationMs: elapsed() });
      response.destroy();
    });
    const timer = setTimeout(() => {
      finish(failed(new Error(`no response within ${post.timeoutMs} ms`)));
      request.destroy();
    }, post.timeoutMs);
    request.on('error', (error) => finish(failed(error)));
    request.end(post.body);
  });
}
