import { Module } from '@nestjs/common';

/** GET /v1/events and the SSE stream GET /v1/events/stream (issue 6). */
@Module({})
export class EventsModule {}
