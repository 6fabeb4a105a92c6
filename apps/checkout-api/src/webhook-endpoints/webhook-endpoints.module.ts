import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { CreateEndpointController } from './create-endpoint/create-endpoint.controller';
import { CreateEndpointUseCase } from './create-endpoint/create-endpoint.use-case';
import { DeleteEndpointController } from './delete-endpoint/delete-endpoint.controller';
import { WebhookEndpointRepository } from './domain/webhook-endpoint.repository';
import { EndpointSecrets } from './endpoint-secrets';
import { GetEndpointController } from './get-endpoint/get-endpoint.controller';
import { ListEndpointsController } from './list-endpoints/list-endpoints.controller';
import { PgWebhookEndpointRepository } from './persistence/pg-webhook-endpoint.repository';
import { RotateSecretController } from './rotate-secret/rotate-secret.controller';
import { RotateSecretUseCase } from './rotate-secret/rotate-secret.use-case';
import { UpdateEndpointController } from './update-endpoint/update-endpoint.controller';
import { UpdateEndpointUseCase } from './update-endpoint/update-endpoint.use-case';
import { WebhookEndpointPolicy } from './webhook-endpoint.policy';

/** The merchant's webhook endpoints and their secrets. */
@Module({
  imports: [AuthModule, InfrastructureModule],
  controllers: [
    CreateEndpointController,
    ListEndpointsController,
    GetEndpointController,
    UpdateEndpointController,
    DeleteEndpointController,
    RotateSecretController,
  ],
  providers: [
    { provide: WebhookEndpointRepository, useClass: PgWebhookEndpointRepository },
    EndpointSecrets,
    WebhookEndpointPolicy,
    CreateEndpointUseCase,
    UpdateEndpointUseCase,
    RotateSecretUseCase,
  ],
  exports: [WebhookEndpointRepository, EndpointSecrets, WebhookEndpointPolicy],
})
export class WebhookEndpointsModule {}
