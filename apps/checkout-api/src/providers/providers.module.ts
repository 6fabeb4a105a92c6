import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { PAYMENT_PROVIDERS, PaymentProvider } from '@app/providers';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { loadRouteCatalog, ROUTE_CATALOG } from '../routing/route-catalog';
import { ProviderRegistry } from './provider-registry';

/** The configured adapters, the registry that finds them by kind, and the route catalog checked against them. */
@Module({
  providers: [
    {
      provide: PAYMENT_PROVIDERS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.adapters.map(({ definition, config: c }) => definition.create(c)),
    },
    ProviderRegistry,
    {
      provide: ROUTE_CATALOG,
      inject: [APP_CONFIG, ProviderRegistry],
      useFactory: (config: AppConfig, registry: ProviderRegistry) =>
        loadRouteCatalog(config.providersConfigPath, registry),
    },
  ],
  exports: [ProviderRegistry, ROUTE_CATALOG],
})
export class ProvidersModule implements OnApplicationShutdown {
  constructor(@Inject(PAYMENT_PROVIDERS) private readonly providers: PaymentProvider[]) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.providers.map((provider) => provider.close()));
  }
}
