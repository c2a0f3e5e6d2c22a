import { Controller, Get, Query } from '@nestjs/common'
import { ApiBadRequestResponse, ApiOperation, ApiTags } from '@nestjs/swagger'
import { AuditEventDto, AuditQueryDto, type Page, ProblemDto } from '#contracts/index.js'
import { RequirePermission } from '../auth/auth.decorators.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { ApiSort } from '../http/pagination.js'
import { AuditService } from './audit.service.js'

@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermission('audit.read')
  @ApiOperation({ summary: 'Every write and every refused credential, newest first; e.g. ?actor=key:alice or ?action=PUT /api/processes/{id}/abort' })
  @ApiPageResponse(AuditEventDto, 'Audit events, newest first')
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(['-at'], '-at')
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEventDto>> {
    return this.audit.list(query)
  }
}
