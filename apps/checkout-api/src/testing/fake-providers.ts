import {
  CreateProviderSessionCommand,
  EligibilityRequest,
  HostedFields,
  HostedPaymentFlow,
  PayHostedSessionCommand,
  PaymentProvider,
  ProviderCallOptions,
  ProviderError,
  ProviderFailureKind,
  ProviderFlowName,
  ProviderFlows,
  ProviderRoute,
  ProviderSessionResult,
  ProviderSessionRef,
  ProviderSessionState,
  SessionCancelFlow,
  SessionCancelOutcome,
  SessionCreationFlow,
  SessionStatusReadFlow,
  TransactionReadFlow,
  TransactionResult,
  VerifiedWebhook,
  WebhookFlow,
  WebhookRejected,
} from '@app/providers';
import { ScriptedCalls } from './scripted-calls';

/** A classified provider failure, as an adapter throws it. */
export function providerFailure(kind: ProviderFailureKind, status?: number, code?: string): ProviderError {
  return new ProviderError(kind, `fake provider: ${kind}`, status, code);
}

/** Creates provider sessions; by default every call succeeds on the route it was sent to. */
export class FakeSessionCreation extends SessionCreationFlow {
  readonly answers = new ScriptedCalls<
    [CreateProviderSessionCommand, ProviderCallOptions],
    ProviderSessionResult
  >(async (command) => ({
    providerSessionId: `ps-${command.route.id}-${command.sessionId}`,
    checkoutUrl: command.hostedCheckoutUrl,
  }));
  /** The adapter's own eligibility rule; none by default. */
  ineligibility: (route: ProviderRoute, request: EligibilityRequest) => string | null = () => null;

  constructor(readonly checkoutPage: 'provider' | 'hosted') {
    super();
  }

  /** What the core sent, call by call. */
  get commands(): CreateProviderSessionCommand[] {
    return this.answers.calls.map(([command]) => command);
  }

  createSession(command: CreateProviderSessionCommand, options: ProviderCallOptions) {
    return this.answers.run(command, options);
  }

  ineligibilityReason(route: ProviderRoute, request: EligibilityRequest): string | null {
    return this.ineligibility(route, request);
  }
}

/** Pays hosted sessions; by default the money is captured at once. */
export class FakeHostedPayment extends HostedPaymentFlow {
  readonly fieldsScript = '/* fake hosted fields */';
  readonly answers = new ScriptedCalls<[PayHostedSessionCommand, ProviderCallOptions], TransactionResult>(
    async (command) => ({
      transactionId: `tx-${command.sessionId}`,
      status: 'captured',
      providerStatus: 'capture_succeeded',
      providerSessionId: command.providerSessionId,
    }),
  );

  get commands(): PayHostedSessionCommand[] {
    return this.answers.calls.map(([command]) => command);
  }

  hostedFields(route: ProviderRoute, providerSessionId: string): HostedFields {
    return {
      scriptUrl: 'https://fields.provider.test/fields.js',
      attributes: { route: route.id, session: providerSessionId },
      scriptOrigins: ['https://fields.provider.test'],
      connectOrigins: ['https://fields.provider.test'],
      frameOrigins: ['https://fields.provider.test'],
    };
  }

  pay(command: PayHostedSessionCommand, options: ProviderCallOptions) {
    return this.answers.run(command, options);
  }
}

/**
 * Reads transactions where they live: each route sees only the transactions
 * published on it (its own merchant account), and answers 404 for the others.
 */
export class FakeTransactionRead extends TransactionReadFlow {
  private readonly byRoute = new Map<string, Map<string, TransactionResult>>();
  readonly answers = new ScriptedCalls<[ProviderRoute, string, ProviderCallOptions], TransactionResult>(
    async (route, transactionId) => {
      const transaction = this.byRoute.get(route.id)?.get(transactionId);
      if (!transaction) throw providerFailure('rejected', 404, 'not_found');
      return transaction;
    },
  );

  /** Makes a transaction visible through one route. */
  publish(routeId: string, transaction: TransactionResult): void {
    const visible = this.byRoute.get(routeId) ?? new Map<string, TransactionResult>();
    visible.set(transaction.transactionId, transaction);
    this.byRoute.set(routeId, visible);
  }

  /** The routes the core read through, call by call. */
  get routes(): ProviderRoute[] {
    return this.answers.calls.map(([route]) => route);
  }

  getTransaction(route: ProviderRoute, transactionId: string, options: ProviderCallOptions) {
    return this.answers.run(route, transactionId, options);
  }
}

const SIGNATURE_HEADER = 'x-fake-signature';
const GOOD_SIGNATURE = 'signed-by-the-fake-provider';

/** A webhook delivery the fake verifies: signed, with the event as its JSON body. */
export function signedWebhook(event: VerifiedWebhook): {
  headers: Record<string, string>;
  rawBody: Buffer;
} {
  return { headers: { [SIGNATURE_HEADER]: GOOD_SIGNATURE }, rawBody: Buffer.from(JSON.stringify(event)) };
}

/** Accepts a delivery signed as signedWebhook signs it whose body names an event and what it is about. */
export class FakeWebhook extends WebhookFlow {
  verifyWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): VerifiedWebhook {
    if (headers[SIGNATURE_HEADER] !== GOOD_SIGNATURE) throw new WebhookRejected('signature');
    let event: Partial<VerifiedWebhook>;
    try {
      event = JSON.parse(rawBody.toString('utf8')) as Partial<VerifiedWebhook>;
    } catch {
      throw new WebhookRejected('payload');
    }
    if (typeof event?.eventId !== 'string' || event.subject === undefined) {
      throw new WebhookRejected('payload');
    }
    return event as VerifiedWebhook;
  }
}

/** Says where a provider session stands; open by default. */
export class FakeSessionRead extends SessionStatusReadFlow {
  readonly answers = new ScriptedCalls<
    [ProviderRoute, ProviderSessionRef, ProviderCallOptions],
    ProviderSessionState
  >(async () => ({ state: 'open' }));

  readSession(route: ProviderRoute, session: ProviderSessionRef, options: ProviderCallOptions) {
    return this.answers.run(route, session, options);
  }
}

/** Closes provider sessions; by default each one is cancelled. */
export class FakeSessionCancel extends SessionCancelFlow {
  readonly answers = new ScriptedCalls<
    [ProviderRoute, string, ProviderCallOptions],
    { outcome: SessionCancelOutcome }
  >(async () => ({ outcome: 'cancelled' }));

  cancelSession(route: ProviderRoute, providerSessionId: string, options: ProviderCallOptions) {
    return this.answers.run(route, providerSessionId, options);
  }
}

/** An adapter with every flow, or without the optional flows named in `without`. */
export class FakeProvider extends PaymentProvider {
  readonly creation: FakeSessionCreation;
  readonly hosted = new FakeHostedPayment();
  readonly reads = new FakeTransactionRead();
  readonly webhooks = new FakeWebhook();
  readonly sessionReads = new FakeSessionRead();
  readonly cancels = new FakeSessionCancel();
  readonly flows: ProviderFlows;

  constructor(
    readonly kind: string,
    options: {
      checkoutPage?: 'provider' | 'hosted';
      without?: Exclude<ProviderFlowName, 'createSession'>[];
    } = {},
  ) {
    super();
    this.creation = new FakeSessionCreation(options.checkoutPage ?? 'hosted');
    const flows: ProviderFlows = {
      createSession: this.creation,
      hostedPayment: this.hosted,
      transactionRead: this.reads,
      webhook: this.webhooks,
      sessionRead: this.sessionReads,
      cancel: this.cancels,
    };
    for (const flow of options.without ?? []) delete flows[flow];
    this.flows = flows;
  }

  validateRouteOptions(): void {}
}
