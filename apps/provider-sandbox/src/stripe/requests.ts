import type { FastifyReply, FastifyRequest } from 'fastify';
import { markReplayed } from '../context';
import { canonicalJson } from '../store';
import { stripeError } from './errors';
import { isFormObject, type FormObject } from './form';
import type { StripeState } from './state';

/* What every Stripe POST shares: a form-encoded body, and an Idempotency-Key per account. */

const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_IDEMPOTENCY_KEY = 255;

/** A request already answered (refused, or replayed). */
export interface Answered {
  answered: FastifyReply;
}

/** The decoded form (none: no params), or a 400 for a body that is not one. */
export function formParams(request: FastifyRequest, reply: FastifyReply): { params: FormObject } | Answered {
  if (request.body === undefined || request.body === null) return { params: {} };
  const type = request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith(FORM_TYPE) || !isFormObject(request.body)) {
    return {
      answered: reply
        .code(400)
        .send(
          stripeError(
            'invalid_request_error',
            `Invalid request: Stripe accepts ${FORM_TYPE} request bodies (got ${type || 'none'}).`,
          ),
        ),
    };
  }
  return { params: request.body };
}

/**
 * As Stripe, per account and 24 h: the same key and parameters replay the stored answer
 * (`Idempotent-Replayed: true`); the same key with other parameters is a 400 `idempotency_error`.
 * Otherwise the key (null without one) and the request's fingerprint, to store its success under.
 */
export function idempotency(
  request: FastifyRequest,
  reply: FastifyReply,
  state: StripeState,
  account: string,
  params: FormObject,
): { key: string | null; fingerprint: string } | Answered {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' && header.length > 0 ? header : null;
  const fingerprint = canonicalJson({ method: 'POST', path: request.url.split('?')[0], params });
  if (key === null) return { key, fingerprint };
  if (key.length > MAX_IDEMPOTENCY_KEY) {
    const message = `Idempotency keys can be at most ${MAX_IDEMPOTENCY_KEY} characters long.`;
    return { answered: reply.code(400).send(stripeError('invalid_request_error', message)) };
  }
  const previous = state.idempotency.get(account, key);
  if (!previous) return { key, fingerprint };
  if (previous.fingerprint !== fingerprint) {
    return {
      answered: reply
        .code(400)
        .send(
          stripeError(
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          ),
        ),
    };
  }
  markReplayed(request);
  return {
    answered: reply
      .code(previous.status)
      .header('idempotent-replayed', 'true')
      .header('idempotency-key', key)
      .send(previous.body),
  };
}
