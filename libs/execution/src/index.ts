// "Run operation X of connector Y for workspace Z" (DESIGN §2): the one path of exec-api and the worker.
export * from './execution/ports';
export * from './execution/connector-catalog';
export * from './execution/execution-metrics';
export * from './execution/execution.service';
export * from './execution.module';
export * from './idempotency/idempotency.service';
export * from './idempotency/idempotency-key';
export * from './records/record-writer';
export * from './records/entity-rows';
export * from './records/event-rows';
export * from './jobs/job-queue';
export * from './events/event-announcer';
export * from './events/index';
export * from './jobs/job-view';
export * from './jobs/job-filters.dto';
