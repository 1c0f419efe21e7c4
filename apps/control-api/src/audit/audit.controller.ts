import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@orch/auth';
import { AuditLogService } from './audit-log.service';
import { AuditPageResponse, AuditVerificationResponse, toAuditEntryResponse } from './dto/audit-entry.response';
import { AuditQueryDto } from './dto/audit-query.dto';
import { toPageResponse } from '../common/dto/page.dto';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  @Access('audit.list')
  @ApiOkResponse({ type: AuditPageResponse, description: 'Newest first' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageResponse> {
    const page = await this.auditLog.list(query);
    return toPageResponse(page, toAuditEntryResponse);
  }

  /** Recomputes the hash chain over every row. */
  @Get('verify')
  @Access('audit.verify')
  @ApiOkResponse({ type: AuditVerificationResponse })
  async verify(): Promise<AuditVerificationResponse> {
    return this.auditLog.verify();
  }
}
