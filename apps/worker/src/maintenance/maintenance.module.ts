import { type DynamicModule, Module } from '@nestjs/common';
import { MAINTENANCE_OPTIONS, type MaintenanceOptions, MaintenanceProcessor, MaintenanceScheduler, MaintenanceTasks } from './maintenance.processor';

/** Retention and housekeeping jobs on the maintenance queue (QueuesModule registers the queue). */
@Module({})
export class MaintenanceModule {
  static forRoot(options: MaintenanceOptions): DynamicModule {
    return {
      module: MaintenanceModule,
      providers: [{ provide: MAINTENANCE_OPTIONS, useValue: options }, MaintenanceTasks, MaintenanceProcessor, MaintenanceScheduler],
    };
  }
}
