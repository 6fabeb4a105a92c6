import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_PROVIDERS, PaymentProvider, ProviderFlowName, ProviderFlows } from '@app/providers';

/**
 * Finds a flow by (adapter kind, flow); core flows never name a provider. At start
 * it refuses a route whose adapter lacks a flow that the route needs.
 */
@Injectable()
export class ProviderRegistry {
  private readonly byKind: Map<string, PaymentProvider>;

  constructor(@Inject(PAYMENT_PROVIDERS) providers: PaymentProvider[]) {
    this.byKind = new Map(providers.map((provider) => [provider.kind, provider]));
  }

  find(kind: string): PaymentProvider | undefined {
    return this.byKind.get(kind);
  }

  flow<F extends ProviderFlowName>(kind: string, flow: F): ProviderFlows[F] | undefined {
    return this.byKind.get(kind)?.flows[flow];
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /**
   * The flows a route of this adapter needs. Every route creates sessions, settles
   * them (the webhook), can be asked where a session stands (the reconciler), can
   * close one (cancel, expiry), and captures, voids and refunds what it took (a
   * merchant's money is never stuck with a provider we cannot ask). One whose buyer
   * pays on our hosted page also needs the hosted payment and the transaction read
   * (the return from an approval step).
   */
  requiredFlows(kind: string): ProviderFlowName[] {
    const lifecycle: ProviderFlowName[] = [
      'createSession',
      'webhook',
      'sessionRead',
      'cancel',
      'capture',
      'void',
      'refund',
    ];
    const creation = this.flow(kind, 'createSession');
    if (creation?.checkoutPage === 'hosted') return [...lifecycle, 'hostedPayment', 'transactionRead'];
    return lifecycle;
  }

  /** The required flows this adapter lacks (empty when it can serve the route). */
  missingFlows(kind: string): ProviderFlowName[] {
    const adapter = this.byKind.get(kind);
    return this.requiredFlows(kind).filter((flow) => !adapter?.flows[flow]);
  }
}
