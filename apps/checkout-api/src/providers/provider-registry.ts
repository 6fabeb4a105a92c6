import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_PROVIDERS, PaymentProvider } from '@app/providers';

/** Finds the adapter of a route by its kind; core flows never name a provider. */
@Injectable()
export class ProviderRegistry {
  private readonly byKind: Map<string, PaymentProvider>;

  constructor(@Inject(PAYMENT_PROVIDERS) providers: PaymentProvider[]) {
    this.byKind = new Map(providers.map((provider) => [provider.kind, provider]));
  }

  find(kind: string): PaymentProvider | undefined {
    return this.byKind.get(kind);
  }

  kinds(): string[] {
    return [...this.byKind.keys()];
  }
}
