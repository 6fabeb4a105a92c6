import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markReplayed } from '../context';
import { canonicalJson } from '../store';
import { int, isUuid, validate, type Issue, type Schema } from '../validation/schema';
import type { TransactionListener } from './approval';
import type { Gr4vyAuthenticator } from './auth';
import { expiryMonthValid, luhnValid, toStoredCard } from './card';
import { gr4vyError, validationError } from './errors';
import {
  CheckoutSessionSecureFields,
  CheckoutSessionUpdate,
  LIST_TRANSACTIONS_LIMIT,
  TransactionCreate,
  type CheckoutSessionUpdateBody,
} from './schemas';
import type { CheckoutSessionRecord, Gr4vyState, StoredPaymentMethod } from './state';
import { registerGr4vyPaymentRoutes } from './payments';
import { fieldsCorsHeaders, FIELDS_ROUTE } from './secure-fields';
import {
  createTransaction,
  cursorOffset,
  listTransactions,
  type ListTransactionsQuery,
} from './transactions';

export interface Gr4vyRouteDeps {
  state: Gr4vyState;
  auth: Gr4vyAuthenticator;
  /** Told about every transaction created (webhooks). */
  events: TransactionListener;
}

/** Scopes from each operation's `security` section in the OpenAPI document. */
const SCOPES = {
  createCheckoutSession: ['checkout-sessions.write'],
  updateCheckoutSession: ['checkout-sessions.write'],
  getCheckoutSession: ['checkout-sessions.read'],
  deleteCheckoutSession: ['checkout-sessions.write'],
  createTransaction: ['transactions.write', 'embed'],
  getTransaction: ['transactions.read'],
  listTransactions: ['transactions.read'],
} as const;

const DEFAULT_EXPIRES_IN = 3600;
const MAX_IDEMPOTENCY_KEY = 255;

type SessionParams = { Params: { session_id: string } };
type TransactionParams = { Params: { transaction_id: string } };
type ListQuery = { Querystring: Record<string, string | string[] | undefined> };

function merchantAccountId(request: FastifyRequest): string {
  const header = request.headers['x-gr4vy-merchant-account-id'];
  return typeof header === 'string' && header.length > 0 ? header : 'default';
}

function sendValidation(reply: FastifyReply, issues: Issue[]) {
  return reply.code(422).send(validationError(issues));
}

function sessionView(session: CheckoutSessionRecord) {
  const f = session.fields;
  const pm = session.paymentMethod;
  return {
    type: 'checkout-session',
    id: session.id,
    cart_items: f.cart_items ?? null,
    metadata: f.metadata ?? null,
    buyer: f.buyer ?? null,
    airline: f.airline ?? null,
    amount: f.amount ?? null,
    currency: f.currency ?? null,
    payment_service_id: f.payment_service_id ?? null,
    expires_at: new Date(session.expiresAt).toISOString(),
    payment_method: pm === null ? null : paymentMethodView(pm),
  };
}

/** components/schemas/CheckoutSessionPaymentMethod */
function paymentMethodView(pm: StoredPaymentMethod) {
  if (pm.method === 'card') {
    return {
      type: 'payment-method',
      id: null,
      details: { bin: pm.bin, card_country: null, card_type: 'credit', card_issuer_name: null },
      label: pm.label,
      method: 'card',
      scheme: pm.scheme,
      fingerprint: null,
    };
  }
  return {
    type: 'payment-method',
    id: pm.method === 'id' ? pm.id : null,
    details: null,
    label: null,
    method: 'card',
    scheme: null,
    fingerprint: null,
  };
}

function withoutExpiresIn(input: CheckoutSessionUpdateBody): Omit<CheckoutSessionUpdateBody, 'expires_in'> {
  const { expires_in: _ignored, ...fields } = input;
  return fields;
}

/** Reads a CheckoutSessionUpdate body; the create operation also accepts no body (or null). */
function readSessionBody(
  body: unknown,
): { ok: true; value: CheckoutSessionUpdateBody } | { ok: false; issues: Issue[] } {
  if (body === undefined || body === null) return { ok: true, value: {} };
  // The document allows `array of BaseModel` here too (a generator artefact); it carries no fields.
  if (Array.isArray(body)) return { ok: true, value: {} };
  return validate(CheckoutSessionUpdate, body, ['body']);
}

/** A required JSON body: absent → pydantic's `missing` at ['body']. */
function validateBody<T>(schema: Schema<T>, body: unknown): ReturnType<typeof validate<T>> {
  if (body === undefined || body === null) {
    return { ok: false, issues: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] };
  }
  return validate(schema, body, ['body']);
}

function pathUuidIssue(name: string, value: string): Issue[] {
  return [{ type: 'uuid_parsing', loc: ['path', name], msg: 'Input should be a valid UUID', input: value }];
}

export function registerGr4vyRoutes(app: FastifyInstance, deps: Gr4vyRouteDeps): void {
  const { state, auth, events } = deps;

  /** Sends 401/403 and returns false when the request may not call the operation. */
  async function allowed(request: FastifyRequest, reply: FastifyReply, scopes: readonly string[]) {
    const outcome = await auth.authorize(request.headers.authorization, scopes);
    if (outcome.ok) return true;
    void reply.code(outcome.status).send(gr4vyError(outcome.status, outcome.message));
    return false;
  }

  function notFound(reply: FastifyReply, what: string) {
    return reply.code(404).send(gr4vyError(404, `The ${what} could not be found`));
  }

  app.post('/checkout/sessions', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.createCheckoutSession))) return reply;
    const parsed = readSessionBody(request.body);
    if (!parsed.ok) return sendValidation(reply, parsed.issues);
    const now = Date.now();
    const session: CheckoutSessionRecord = {
      id: randomUUID(),
      merchantAccountId: merchantAccountId(request),
      createdAt: now,
      expiresAt: now + (parsed.value.expires_in ?? DEFAULT_EXPIRES_IN) * 1000,
      fields: withoutExpiresIn(parsed.value),
      paymentMethod: null,
    };
    state.sessions.set(session.id, session);
    return reply.code(201).send(sessionView(session));
  });

  app.get<SessionParams>('/checkout/sessions/:session_id', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.getCheckoutSession))) return reply;
    const id = request.params.session_id;
    if (!isUuid(id)) return sendValidation(reply, pathUuidIssue('session_id', id));
    const session = state.liveSession(id);
    if (!session) return notFound(reply, 'checkout session');
    return reply.code(200).send(sessionView(session));
  });

  app.put<SessionParams>('/checkout/sessions/:session_id', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.updateCheckoutSession))) return reply;
    const id = request.params.session_id;
    if (!isUuid(id)) return sendValidation(reply, pathUuidIssue('session_id', id));
    const parsed = validateBody(CheckoutSessionUpdate, request.body);
    if (!parsed.ok) return sendValidation(reply, parsed.issues);
    const session = state.liveSession(id);
    if (!session) return notFound(reply, 'checkout session');
    session.fields = { ...session.fields, ...withoutExpiresIn(parsed.value) };
    if (parsed.value.expires_in !== undefined)
      session.expiresAt = Date.now() + parsed.value.expires_in * 1000;
    return reply.code(200).send(sessionView(session));
  });

  app.delete<SessionParams>('/checkout/sessions/:session_id', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.deleteCheckoutSession))) return reply;
    const id = request.params.session_id;
    if (!isUuid(id)) return sendValidation(reply, pathUuidIssue('session_id', id));
    const session = state.liveSession(id);
    if (!session) return notFound(reply, 'checkout session');
    state.sessions.delete(session.id);
    return reply.code(204).send();
  });

  // Secure Fields stand-in. The document lists no `security` for this operation
  // (browsers call it with the session id as the secret), so no token is required.
  // CORS: the Secure Fields script PUTs here from the hosted checkout page (secure-fields.ts).
  const fieldsCors = {
    onRequest: (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      fieldsCorsHeaders(request, reply);
      done();
    },
  };
  app.put<SessionParams>(FIELDS_ROUTE, fieldsCors, async (request, reply) => {
    const id = request.params.session_id;
    if (!isUuid(id)) return sendValidation(reply, pathUuidIssue('session_id', id));
    const parsed = validateBody(CheckoutSessionSecureFields, request.body);
    if (!parsed.ok) return sendValidation(reply, parsed.issues);
    const session = state.liveSession(id);
    if (!session) return notFound(reply, 'checkout session');
    const pm = parsed.value.payment_method;
    if ('number' in pm && typeof pm.number === 'string' && 'expiration_date' in pm) {
      const expiration = String(pm.expiration_date);
      if (!luhnValid(pm.number))
        return reply.code(400).send(fieldError('The card number is not valid', 'number'));
      if (!expiryMonthValid(expiration)) {
        return reply.code(400).send(fieldError('The expiration date is not valid', 'expiration_date'));
      }
      session.paymentMethod = toStoredCard(pm.number, expiration);
    } else if (pm.method === 'id' && 'id' in pm && typeof pm.id === 'string') {
      session.paymentMethod = { method: 'id', id: pm.id, outcome: 'approve' };
    } else {
      session.paymentMethod = { method: 'click-to-pay', outcome: 'approve' };
    }
    return reply.code(204).send();
  });

  app.post('/transactions', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.createTransaction))) return reply;
    const parsed = validateBody(TransactionCreate, request.body);
    if (!parsed.ok) return sendValidation(reply, parsed.issues);
    const account = merchantAccountId(request);

    const keyHeader = request.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader : null;
    let fingerprint = '';
    if (key !== null) {
      if (key.length > MAX_IDEMPOTENCY_KEY) {
        return reply.code(400).send(
          gr4vyError(400, `The idempotency key must be at most ${MAX_IDEMPOTENCY_KEY} characters`, {
            details: [
              { location: 'header', pointer: 'idempotency-key', message: 'too long', type: 'value_error' },
            ],
          }),
        );
      }
      fingerprint = canonicalJson(parsed.value);
      const previous = state.idempotency.get(account, key);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          const resourceId = (previous.body as { id?: unknown }).id;
          return reply.code(409).send(
            gr4vyError(409, 'This idempotency key was already used with a different request body', {
              resourceId: typeof resourceId === 'string' ? resourceId : null,
            }),
          );
        }
        markReplayed(request);
        return reply
          .code(previous.status)
          .header('x-sandbox-idempotent-replayed', 'true')
          .send(previous.body);
      }
    }

    const result = createTransaction(state, parsed.value, account, {
      origin: `${request.protocol}://${request.host}`,
    });
    // Like Gr4vy: a result is kept once the request got past validation and
    // the transaction was attempted (approved or declined alike).
    if (key !== null && result.status === 201) {
      state.idempotency.save(account, key, { fingerprint, status: result.status, body: result.body });
    }
    if (result.status === 201) events.transactionChanged(result.body);
    return reply.code(result.status).send(result.body);
  });

  // Only `checkout_session_id` filters; the document's other filters are accepted and not applied.
  app.get<ListQuery>('/transactions', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.listTransactions))) return reply;
    const query = readListQuery(request.query);
    if ('issues' in query) return sendValidation(reply, query.issues);
    if ('badCursor' in query) return reply.code(400).send(gr4vyError(400, 'The cursor is not valid'));
    return reply.code(200).send(listTransactions(state, merchantAccountId(request), query));
  });

  app.get<TransactionParams>('/transactions/:transaction_id', async (request, reply) => {
    if (!(await allowed(request, reply, SCOPES.getTransaction))) return reply;
    const id = request.params.transaction_id;
    if (!isUuid(id)) return sendValidation(reply, pathUuidIssue('transaction_id', id));
    const transaction = state.transactions.get(id.toLowerCase());
    // As at Gr4vy, a transaction is visible only to the merchant account that created it.
    if (!transaction || transaction.merchant_account_id !== merchantAccountId(request)) {
      return notFound(reply, 'transaction');
    }
    return reply.code(200).send(transaction);
  });

  registerGr4vyPaymentRoutes(app, { state, events, allowed, merchantAccountId });
}

/** The query of GET /transactions, checked as FastAPI checks it (strings parsed in lax mode). */
function readListQuery(
  raw: Record<string, string | string[] | undefined>,
): ListTransactionsQuery | { issues: Issue[] } | { badCursor: true } {
  const single = (name: string) => {
    const value = raw[name];
    return Array.isArray(value) ? value[value.length - 1] : value;
  };
  const issues: Issue[] = [];
  const limitText = single('limit');
  let limit: number = LIST_TRANSACTIONS_LIMIT.default;
  if (limitText !== undefined) {
    if (!/^-?\d+$/.test(limitText.trim())) {
      issues.push({
        type: 'int_parsing',
        loc: ['query', 'limit'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: limitText,
      });
    } else {
      const checked = validate(
        int({ min: LIST_TRANSACTIONS_LIMIT.min, max: LIST_TRANSACTIONS_LIMIT.max }),
        Number(limitText),
        ['query', 'limit'],
      );
      if (checked.ok) limit = checked.value;
      else issues.push(...checked.issues);
    }
  }
  const checkoutSessionId = single('checkout_session_id');
  if (checkoutSessionId !== undefined && !isUuid(checkoutSessionId)) {
    issues.push(
      ...pathUuidIssue('checkout_session_id', checkoutSessionId).map((i) => ({
        ...i,
        loc: ['query', 'checkout_session_id'],
      })),
    );
  }
  if (issues.length > 0) return { issues };
  const cursor = single('cursor');
  const offset = cursor === undefined || cursor === '' ? 0 : cursorOffset(cursor);
  if (offset === undefined) return { badCursor: true };
  return { checkoutSessionId, limit, offset };
}

function fieldError(message: string, field: string) {
  return gr4vyError(400, message, {
    details: [{ location: 'body', pointer: `/payment_method/${field}`, message, type: 'value_error' }],
  });
}
