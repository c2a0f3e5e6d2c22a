import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common'
import { ApiConflictResponse, ApiQuery, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { type Page, ProblemDto, ScheduleCreateDto, ScheduleDto, TENANT_LIST } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { SchedulesService } from './schedules.service.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { ActingTenant, Scope, type TenantScope, TenantScoped } from '../auth/tenant-scope.js'

@ApiTags('schedules')
@Controller('api/schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Get()
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'Loom schedules (Temporal Schedules that start workflows through the API)' })
  @ApiPageResponse(ScheduleDto, 'Schedules', { scoped: true })
  @ApiQuery({ name: 'tenant', required: false, schema: { type: 'string', pattern: TENANT_LIST.source }, description: "only these of the caller's tenants (comma-separated)" })
  list(@Scope() scope: TenantScope): Promise<Page<ScheduleDto>> {
    return this.schedules.list(scope)
  }

  @Post()
  @RequirePermission('tasks.start')
  @TenantScoped()
  @ApiOperation({
    summary: 'Run a workflow on a schedule',
    description: 'Every run starts the workflow through POST /api/processes/{workflow} as `schedule:<id>`, with the same checks and locks as any start.',
  })
  @ApiCreatedResponse({ type: ScheduleDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such workflow' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a bad interval or cron (more often than LOOM_SCHEDULE_MIN_SECONDS), or input that fails the start form' })
  @ApiConflictResponse({ type: ProblemDto, description: 'the caller has as many schedules as one person may (20)' })
  create(@Body() body: ScheduleCreateDto, @Caller() caller: VerifiedCaller, @ActingTenant() tenant: string): Promise<ScheduleDto> {
    return this.schedules.create(body, caller, tenant)
  }

  @Get(':id')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOkResponse({ type: ScheduleDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id') id: string, @Scope() scope: TenantScope): Promise<ScheduleDto> {
    return this.schedules.get(id, scope)
  }

  @Delete(':id')
  @RequirePermission('tasks.start')
  @TenantScoped()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted; runs already started go on' })
  @ApiNotFoundResponse({ type: ProblemDto })
  delete(@Param('id') id: string, @Scope() scope: TenantScope): Promise<void> {
    return this.schedules.delete(id, scope)
  }
}
