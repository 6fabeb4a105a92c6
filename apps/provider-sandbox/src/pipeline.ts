import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getContext, providerForPath, setContext } from './context';
import type { FaultRegistry, FaultTarget } from './faults';
import { maskPan } from './gr4vy/card';
import { gr4vyError } from './gr4vy/errors';
import type { Gr4vyState } from './gr4vy/state';
import { stripeErrorForStatus } from './stripe/errors';
import { stripeSecretKey } from './stripe/routes';
import type { RequestLog } from './store';
import type { ActiveFaultRule, ProviderKind, RecordedRequest } from './types';
import { isPlainObject } from './validation/schema';

/** Cancellable sleeps, so close() never waits for an injected delay. */
export class Delayer {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>();

  /** Resolves true after `ms`, or false if cancelled first. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  cancelAll(): void {
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(false);
    }
    this.pending.clear();
  }
}

/** Sockets of requests held open by 'timeout' faults; destroyed on close. */
export class HeldSockets {
  private readonly sockets = new Set<Socket>();

  /** Keeps the socket until the client closes it (then `onClientClose` runs) or destroyAll(). */
  hold(socket: Socket, onClientClose: () => void): void {
    this.sockets.add(socket);
    socket.once('close', () => {
      if (this.sockets.delete(socket)) onClientClose();
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  destroyAll(): void {
    const sockets = [...this.sockets];
    this.sockets.clear();
    for (const socket of sockets) socket.destroy();
  }
}

export interface PipelineDeps {
  faults: FaultRegistry;
  requests: RequestLog;
  gr4vy: Gr4vyState;
  delayer: Delayer;
  held: HeldSockets;
  latencyMs(): number;
  closing(): boolean;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function redactHeaders(headers: FastifyRequest['headers']): RecordedRequest['headers'] {
  const copy: RecordedRequest['headers'] = { ...headers };
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const space = auth.indexOf(' ');
    copy.authorization = `${space > 0 ? auth.slice(0, space) : 'credentials'} [REDACTED]`;
  }
  return copy;
}

/** Card numbers and security codes never reach the request log. */
function redactBody(body: unknown): unknown {
  if (!isPlainObject(body) || !isPlainObject(body.payment_method)) return body;
  const pm = body.payment_method;
  if (!('number' in pm) && !('security_code' in pm)) return body;
  const masked: Record<string, unknown> = { ...pm };
  if (typeof pm.number === 'string') masked.number = maskPan(pm.number);
  else if (pm.number !== undefined && pm.number !== null) masked.number = '[REDACTED]';
  if (pm.security_code !== undefined && pm.security_code !== null) masked.security_code = '***';
  return { ...body, payment_method: masked };
}

function queryOf(query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!isPlainObject(query)) return out;
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map(String);
  }
  return out;
}

/**
 * Hooks shared by both provider kinds: record the request, then apply global
 * latency and fault rules before the route handler runs.
 */
export function registerPipeline(app: FastifyInstance, deps: PipelineDeps): void {
  const { faults, requests, delayer, held } = deps;

  function record(request: FastifyRequest, provider: ProviderKind): RecordedRequest {
    const entry: RecordedRequest = {
      id: requests.nextId(),
      provider,
      method: request.method,
      path: pathOf(request.url),
      query: queryOf(request.query),
      headers: redactHeaders(request.headers),
      body: redactBody(request.body),
      receivedAt: new Date().toISOString(),
      outcome: { status: null, fault: null, faultId: null, replayed: false, aborted: false },
    };
    requests.push(entry);
    return entry;
  }

  function target(request: FastifyRequest, provider: ProviderKind, path: string): FaultTarget {
    return {
      provider,
      method: request.method,
      path,
      route: request.routeOptions.url,
      paymentServiceId: () => {
        const body = request.body;
        if (!isPlainObject(body)) return undefined;
        if (typeof body.payment_service_id === 'string') return body.payment_service_id;
        const pm = body.payment_method;
        if (
          path === '/transactions' &&
          isPlainObject(pm) &&
          pm.method === 'checkout-session' &&
          typeof pm.id === 'string'
        ) {
          return deps.gr4vy.liveSession(pm.id)?.fields.payment_service_id ?? undefined;
        }
        return undefined;
      },
      stripeAccounts: () => {
        const accounts: string[] = [];
        const key = stripeSecretKey(request.headers.authorization);
        if (key) accounts.push(key);
        const connected = request.headers['stripe-account'];
        if (typeof connected === 'string') accounts.push(connected);
        return accounts;
      },
    };
  }

  function applyTerminal(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: ProviderKind,
    rule: ActiveFaultRule,
  ) {
    if (rule.mode === 'timeout') {
      reply.hijack();
      const record = getContext(request)?.record;
      held.hold(request.raw.socket, () => {
        if (record) record.outcome.aborted = true;
      });
      return reply;
    }
    if (rule.mode === 'reset') {
      reply.hijack();
      request.raw.socket.resetAndDestroy();
      return reply;
    }
    const status = rule.status ?? 500;
    const body =
      provider === 'gr4vy'
        ? gr4vyError(status, `Simulated ${status} from the provider sandbox`)
        : stripeErrorForStatus(status);
    if (status === 429 || status === 503)
      void reply.header('retry-after', String(rule.retryAfterSeconds ?? 1));
    return reply.code(status).send(body);
  }

  app.addHook('onRequest', (request, reply, done) => {
    const provider = providerForPath(request.url);
    // CORS preflights (OPTIONS) are browser plumbing: not recorded, never faulted or delayed.
    if (provider !== null && request.method !== 'OPTIONS') {
      setContext(request, { provider, record: null });
      if (provider === 'stripe')
        void reply.header('request-id', `req_${randomUUID().replace(/-/g, '').slice(0, 14)}`);
    }
    done();
  });

  app.addHook('preHandler', async (request, reply) => {
    const context = getContext(request);
    if (!context) return;
    const entry = record(request, context.provider);
    context.record = entry;

    const decision = faults.size > 0 ? faults.match(target(request, context.provider, entry.path)) : null;
    const delay = deps.latencyMs() + (decision?.delayMs ?? 0);
    if (decision) {
      if (decision.terminal) {
        entry.outcome.fault = decision.terminal.mode;
        entry.outcome.faultId = decision.terminal.id;
      } else if (decision.latencyRuleIds.length > 0) {
        entry.outcome.fault = 'latency';
        entry.outcome.faultId = decision.latencyRuleIds[0];
      }
    }
    if (delay > 0) {
      const completed = await delayer.sleep(delay);
      if (!completed || deps.closing()) {
        // The sandbox is closing: drop the request.
        reply.hijack();
        request.raw.socket.destroy();
        return reply;
      }
    }
    if (decision?.terminal) return applyTerminal(request, reply, context.provider, decision.terminal);
    return undefined;
  });

  app.addHook('onRequestAbort', (request, done) => {
    const record = getContext(request)?.record;
    if (record) record.outcome.aborted = true;
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const context = getContext(request);
    if (context) {
      // Requests that failed before the handler (body parse errors) are recorded here.
      context.record ??= record(request, context.provider);
      const fault = context.record.outcome.fault;
      if (fault !== 'timeout' && fault !== 'reset') context.record.outcome.status = reply.statusCode;
    }
    done();
  });
}
