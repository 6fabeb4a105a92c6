import { Global, Module } from '@nestjs/common';
import { PreviewRoutesController } from './preview-routes/preview-routes.controller';
import { RoutePlanner } from './route-planner';

@Global()
@Module({
  controllers: [PreviewRoutesController],
  providers: [RoutePlanner],
  exports: [RoutePlanner],
})
export class RoutingModule {}
