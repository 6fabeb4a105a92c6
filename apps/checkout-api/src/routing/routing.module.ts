import { Global, Module } from '@nestjs/common';
import { PreviewRoutesController } from './preview-routes/preview-routes.controller';
import { RouteAvailabilityMetrics } from './route-availability.metrics';
import { RoutePlanner } from './route-planner';

@Global()
@Module({
  controllers: [PreviewRoutesController],
  providers: [RoutePlanner, RouteAvailabilityMetrics],
  exports: [RoutePlanner],
})
export class RoutingModule {}
