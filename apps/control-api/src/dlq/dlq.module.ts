import { Module } from '@nestjs/common';

/** A workspace's jobs, DLQ (list, replay, purge) and events seen from the control plane (issue 6). */
@Module({})
export class DlqModule {}
