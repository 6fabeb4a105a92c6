import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { markReplayed } from '../context';
import { canonicalJson } from '../store';
import { isUuid, validate, type Issue, type Schema } from '../validation/schema';
import type { TransactionListener } from './approval';
import { gr4vyError, validationError } from './errors';
import { TransactionCaptureCreate, TransactionRefundCreate } from './schemas';
import type { Gr4vyState, TransactionView } from './state';
import { base62Uuid } from './transactions';

/*
 * After checkout, as Gr4vy's document has it: capture (in full or in part, once), void (an
 * authorization nothing was captured from) and refunds (in parts, up to what was captured).
 * Bodies are validated against the document's schemas; every operation takes an
 * `idempotency-key`, scoped like Gr4vy's per merchant account (same key and request →
 * the stored answer; same key, other request → 409).
 */

export interface Gr4vyPaymentRouteDeps {
  state: Gr4vyState;
  events: TransactionListener;
  /** Sends 401/403 and returns false when the request may not call an operation with these scopes. */
  allowed(request: FastifyRequest, reply: FastifyReply, scopes: readonly string[]): Promise<boolean>;
  merchantAccountId(request: FastifyRequest): string;
}

const WRITE = ['transactions.write'] as const;
const MAX_IDEMPOTENCY_KEY = 255;

type TransactionParams = { Params: { transaction_id: string } };
type Answer = { status: number; body: unknown };

function badRequest(message: string, pointer?: string): Answer {
  const details = pointer ? [{ location: 'body' as const, pointer, message, type: 'value_error' }] : [];
  return { status: 400, body: gr4vyError(400, message, { details }) };
}

/** A required JSON body: absent → pydantic's `missing` at ['body']. */
function parseBody<T>(
  schema: Schema<T>,
  body: unknown,
): { ok: true; value: T } | { ok: false; issues: Issue[] } {
  if (body === undefined || body === null) {
    return { ok: false, issues: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] };
  }
  return validate(schema, body, ['body']);
}

/** `Prefer: resource=transaction-capture|transaction-void` asks for the wrapper instead of the transaction. */
function prefers(request: FastifyRequest, resource: string): boolean {
  const prefer = request.headers.prefer;
  const values = Array.isArray(prefer) ? prefer : prefer ? [prefer] : [];
  return values.some((value) => value.split(',').some((part) => part.trim() === `resource=${resource}`));
}

function wrapper(type: 'transaction-capture' | 'transaction-void', transaction: TransactionView) {
  return {
    type,
    status: 'succeeded',
    code: null,
    raw_response_code: '00',
    raw_response_description: 'Approved',
    transaction,
  };
}

export function registerGr4vyPaymentRoutes(app: FastifyInstance, deps: Gr4vyPaymentRouteDeps): void {
  const { state, events } = deps;

  /**
   * Authorizes, finds the merchant account's transaction, replays an idempotent request, or runs
   * `operate` and stores its success under the key.
   */
  function operation(
    body: Schema<unknown> | null,
    operate: (transaction: TransactionView, body: Record<string, unknown>, request: FastifyRequest) => Answer,
  ) {
    return async (request: FastifyRequest<TransactionParams>, reply: FastifyReply) => {
      if (!(await deps.allowed(request, reply, WRITE))) return reply;
      const id = request.params.transaction_id;
      if (!isUuid(id)) {
        return reply.code(422).send(
          validationError([
            {
              type: 'uuid_parsing',
              loc: ['path', 'transaction_id'],
              msg: 'Input should be a valid UUID',
              input: id,
            },
          ]),
        );
      }
      let fields: Record<string, unknown> = {};
      if (body) {
        const parsed = parseBody(body, request.body);
        if (!parsed.ok) return reply.code(422).send(validationError(parsed.issues));
        fields = parsed.value as Record<string, unknown>;
      }
      const account = deps.merchantAccountId(request);
      const transaction = state.transactions.get(id.toLowerCase());
      // As at Gr4vy, a transaction is visible only to the merchant account that created it.
      if (!transaction || transaction.merchant_account_id !== account) {
        return reply.code(404).send(gr4vyError(404, 'The transaction could not be found'));
      }
      const keyHeader = request.headers['idempotency-key'];
      const key = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader : null;
      if (key !== null && key.length > MAX_IDEMPOTENCY_KEY) {
        return reply
          .code(400)
          .send(gr4vyError(400, `The idempotency key must be at most ${MAX_IDEMPOTENCY_KEY} characters`));
      }
      const fingerprint = canonicalJson({ path: request.url.split('?')[0], body: fields });
      const previous = key === null ? undefined : state.idempotency.get(account, key);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          return reply.code(409).send(
            gr4vyError(409, 'This idempotency key was already used with a different request', {
              resourceId: id,
            }),
          );
        }
        markReplayed(request);
        return reply
          .code(previous.status)
          .header('x-sandbox-idempotent-replayed', 'true')
          .send(previous.body);
      }
      const answer = operate(transaction, fields, request);
      if (key !== null && answer.status < 300)
        state.idempotency.save(account, key, { fingerprint, ...answer });
      return reply.code(answer.status).send(answer.body);
    };
  }

  /**
   * Moves an authorized transaction to `status`, stored as a new object (stored replays keep what they
   * answered) and told to the webhooks; answers it, or its wrapper when `Prefer` asks for that resource.
   */
  function moved(
    transaction: TransactionView,
    request: FastifyRequest,
    resource: 'transaction-capture' | 'transaction-void',
    changes: (now: string) => Record<string, unknown>,
  ): Answer {
    const now = new Date().toISOString();
    const next: TransactionView = { ...transaction, ...changes(now), updated_at: now };
    state.transactions.set(next.id, next);
    events.transactionChanged(next);
    return { status: 200, body: prefers(request, resource) ? wrapper(resource, next) : next };
  }

  app.post<TransactionParams>(
    '/transactions/:transaction_id/capture',
    operation(TransactionCaptureCreate, (transaction, body, request) => {
      if (transaction.status !== 'authorization_succeeded') {
        return badRequest(`The transaction cannot be captured: its status is ${transaction.status}`);
      }
      const authorized = Number(transaction.authorized_amount);
      const amount = typeof body.amount === 'number' ? body.amount : authorized;
      if (amount > authorized) {
        return badRequest(
          `The capture amount ${amount} exceeds the authorized amount ${authorized}`,
          '/amount',
        );
      }
      return moved(transaction, request, 'transaction-capture', (now) => ({
        status: 'capture_succeeded',
        captured_amount: amount,
        captured_at: now,
      }));
    }),
  );

  app.post<TransactionParams>(
    '/transactions/:transaction_id/void',
    operation(null, (transaction, _body, request) => {
      if (transaction.status !== 'authorization_succeeded') {
        return badRequest(`The transaction cannot be voided: its status is ${transaction.status}`);
      }
      return moved(transaction, request, 'transaction-void', (now) => ({
        status: 'authorization_voided',
        voided_at: now,
      }));
    }),
  );

  app.post<TransactionParams>(
    '/transactions/:transaction_id/refunds',
    operation(TransactionRefundCreate, (transaction, body) => {
      if (transaction.status !== 'capture_succeeded') {
        return badRequest(`The transaction cannot be refunded: its status is ${transaction.status}`);
      }
      const refunded = Number(transaction.refunded_amount);
      const left = Number(transaction.captured_amount) - refunded;
      const amount = typeof body.amount === 'number' ? body.amount : left;
      if (amount === 0 || amount > left) {
        return badRequest(
          `The refund amount ${amount} exceeds the amount left to refund (${left})`,
          '/amount',
        );
      }
      const now = new Date().toISOString();
      state.transactions.set(transaction.id, {
        ...transaction,
        refunded_amount: refunded + amount,
        updated_at: now,
      });
      const id = randomUUID();
      return {
        status: 201,
        body: {
          type: 'refund',
          id,
          transaction_id: transaction.id,
          payment_service_refund_id: `sbx_re_${id.replace(/-/g, '').slice(0, 20)}`,
          status: 'succeeded',
          currency: transaction.currency,
          amount,
          reason: body.reason ?? null,
          target_type: body.target_type ?? 'payment-method',
          target_id: body.target_id ?? null,
          reconciliation_id: base62Uuid(id),
          external_identifier: body.external_identifier ?? null,
          transaction_reconciliation_id: transaction.reconciliation_id,
          transaction_external_identifier: transaction.external_identifier ?? null,
          created_at: now,
          updated_at: now,
          creator: null,
          error_code: null,
          raw_response_code: '00',
          raw_response_description: 'Approved',
          settled_currency: null,
          settled_amount: 0,
          settled: false,
        },
      };
    }),
  );
}
