import type { FastifyRequest } from 'fastify';
import type { ProviderKind, RecordedRequest } from './types';

/** Per-request sandbox state, kept beside the request rather than on it. */
export interface RequestContext {
  provider: ProviderKind;
  record: RecordedRequest | null;
}

const contexts = new WeakMap<FastifyRequest, RequestContext>();

export function setContext(request: FastifyRequest, context: RequestContext): void {
  contexts.set(request, context);
}

export function getContext(request: FastifyRequest): RequestContext | undefined {
  return contexts.get(request);
}

/** Marks the recorded request as answered by an idempotent replay. */
export function markReplayed(request: FastifyRequest): void {
  const record = contexts.get(request)?.record;
  if (record) record.outcome.replayed = true;
}

/** The provider a path belongs to; null for the admin API. */
export function providerForPath(url: string): ProviderKind | null {
  if (url.startsWith('/__sandbox')) return null;
  if (url.startsWith('/v1/') || url === '/v1' || url.startsWith('/stripe/')) return 'stripe';
  return 'gr4vy';
}
