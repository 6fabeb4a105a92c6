import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { ObservabilityModule } from '../observability/observability.module';
import { ProvidersModule } from '../providers/providers.module';
import { PreviewRoutesController } from './preview-routes/preview-routes.controller';
import { RouteAvailabilityMetrics } from './route-availability.metrics';
import { RoutePlanner } from './route-planner';

/** The route planner over the catalog and the shared route health, and the routing preview. */
@Module({
  imports: [AuthModule, InfrastructureModule, ObservabilityModule, ProvidersModule],
  controllers: [PreviewRoutesController],
  providers: [RoutePlanner, RouteAvailabilityMetrics],
  exports: [RoutePlanner],
})
export class RoutingModule {}
