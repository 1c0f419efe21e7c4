import { Module } from '@nestjs/common';

/** POST /v1/jobs, GET /v1/jobs, GET /v1/jobs/:id, POST /v1/jobs/:id/cancel (issue 6). */
@Module({})
export class JobsModule {}
