import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml } from '../html';
import { isUuid } from '../validation/schema';
import type { Gr4vyState, PendingApproval, TransactionView } from './state';
import { approveTransaction } from './transactions';

/** Told whenever a transaction is created or changes status (the webhook dispatcher). */
export interface TransactionListener {
  transactionChanged(transaction: TransactionView): void;
}

export interface ApprovalDeps {
  state: Gr4vyState;
  events: TransactionListener;
}

type Params = { Params: { transaction_id: string } };

function page(title: string, body: string): string {
  return (
    // rel=icon data: keeps the browser from asking for /favicon.ico (a 404 in the console).
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">` +
    `<title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function html(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page(title, body));
}

/** `redirect_url` with `transaction_id` added, or null when it is not an http(s) URL (e.g. a data: URL). */
export function returnUrl(redirectUrl: string | null, transactionId: string): string | null {
  if (redirectUrl === null) return null;
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.searchParams.set('transaction_id', transactionId);
  return url.toString();
}

/**
 * The buyer-approval stand-in (the approval card, 4000000000003220): a
 * transaction created `buyer_approval_pending` carries
 * `payment_method.approval_url = <sandbox>/approve/<id>`.
 *
 *   GET  /approve/:transaction_id   a small page with an "Approve" button
 *   POST /approve/:transaction_id   → capture_succeeded / authorization_succeeded (by intent),
 *                                     webhook, then 303 to redirect_url?transaction_id=<id>
 *                                     (a page saying "approved" when there is none)
 *
 * A second POST after approval redirects again without changing anything.
 */
export function registerApprovalRoutes(app: FastifyInstance, deps: ApprovalDeps): void {
  const { state, events } = deps;

  function find(id: string): { transaction: TransactionView; approval: PendingApproval } | null {
    if (!isUuid(id)) return null;
    const transaction = state.transactions.get(id.toLowerCase());
    const approval = state.approvals.get(id.toLowerCase());
    return transaction && approval ? { transaction, approval } : null;
  }

  function approvedAnswer(reply: FastifyReply, transaction: TransactionView, approval: PendingApproval) {
    const target = returnUrl(approval.redirectUrl, transaction.id);
    if (target !== null) return reply.header('cache-control', 'no-store').redirect(target, 303);
    return html(
      reply,
      200,
      'Payment approved',
      `<p>Transaction <code>${escapeHtml(transaction.id)}</code> was approved ` +
        `(<code>${escapeHtml(transaction.status)}</code>). You can close this page.</p>`,
    );
  }

  app.get<Params>('/approve/:transaction_id', async (request, reply) => {
    const found = find(request.params.transaction_id);
    if (!found) return html(reply, 404, 'Not found', '<p>No transaction awaits approval here.</p>');
    const { transaction, approval } = found;
    const id = escapeHtml(transaction.id);
    const summary =
      `<p>Transaction <code>${id}</code>: ${escapeHtml(String(transaction.amount))} ` +
      `${escapeHtml(String(transaction.currency))} (minor units), intent ` +
      `<code>${escapeHtml(String(transaction.intent))}</code>.</p>`;
    if (transaction.status === 'buyer_approval_pending') {
      return html(
        reply,
        200,
        'Sandbox payment approval',
        `${summary}<form method="post" action="/approve/${id}"><button type="submit">Approve</button></form>`,
      );
    }
    const state =
      approval.approvedAt !== null
        ? `approved at ${escapeHtml(approval.approvedAt)}`
        : 'not awaiting approval';
    return html(
      reply,
      200,
      'Sandbox payment approval',
      `${summary}<p>This transaction is <code>${escapeHtml(transaction.status)}</code> (${state}).</p>`,
    );
  });

  app.post<Params>('/approve/:transaction_id', async (request, reply) => {
    const found = find(request.params.transaction_id);
    if (!found) return html(reply, 404, 'Not found', '<p>No transaction awaits approval here.</p>');
    const { transaction, approval } = found;
    if (transaction.status === 'buyer_approval_pending') {
      const now = new Date();
      const approved = approveTransaction(state, transaction, now);
      approval.approvedAt = now.toISOString();
      events.transactionChanged(approved);
      return approvedAnswer(reply, approved, approval);
    }
    if (approval.approvedAt !== null) return approvedAnswer(reply, transaction, approval);
    return html(
      reply,
      409,
      'Cannot approve',
      `<p>Transaction <code>${escapeHtml(transaction.id)}</code> is ` +
        `<code>${escapeHtml(transaction.status)}</code>.</p>`,
    );
  });
}
