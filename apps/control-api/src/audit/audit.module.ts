import { Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';
import { AuditController } from './audit.controller';

/** The audit log's read side: list with filters, verify the hash chain. */
@Module({
  controllers: [AuditController],
  providers: [AuditLogService, AuditLogRepository],
})
export class AuditModule {}
