import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { CheckoutModule } from './checkout/checkout.module';
import { EventsModule } from './events/events.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { HealthController } from './health/health.controller';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { loggerParams } from './observability/logging';
import { ObservabilityModule } from './observability/observability.module';
import { RoutingModule } from './routing/routing.module';
import { SessionsModule } from './sessions/sessions.module';
import { WebhookEndpointsModule } from './webhook-endpoints/webhook-endpoints.module';

@Module({})
export class AppModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      // The validated config is the one global provider: a plain value that every module reads.
      // Everything else is imported by the modules that use it.
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        InfrastructureModule,
        ObservabilityModule,
        RoutingModule,
        SessionsModule,
        CheckoutModule,
        WebhookEndpointsModule,
        EventsModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
