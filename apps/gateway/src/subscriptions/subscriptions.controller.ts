import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common'
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import {
  type Page,
  ScopedPageQueryDto,
  ProblemDto,
  ProcessSummaryDto,
  SubscriptionDto,
  SubscriptionListQueryDto,
  SubscriptionPatchDto,
  SubscriptionSummaryDto,
  SubscriptionVersionDto,
  VersionDiffDto,
  VersionDiffQueryDto,
} from '#contracts/index.js'
import { ApiSort } from '../http/pagination.js'
import { PROCESS_SORTS, ProcessesService } from '../processes/processes.service.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { SUBSCRIPTION_SORTS, SubscriptionsService, VERSION_SORTS } from './subscriptions.service.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { RequirePermission } from '../auth/auth.decorators.js'
import { Scope, type TenantScope, TenantScoped } from '../auth/tenant-scope.js'

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly processList: ProcessesService,
  ) {}

  @Get()
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'Subscriptions, newest first, filtered by product, lifecycle, customer, insync' })
  @ApiPageResponse(SubscriptionSummaryDto, 'One page of subscriptions with the total the filters match', { scoped: true })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(SUBSCRIPTION_SORTS, '-created_at')
  list(@Query() query: SubscriptionListQueryDto, @Scope() scope: TenantScope): Promise<Page<SubscriptionSummaryDto>> {
    return this.subscriptions.list(query, scope)
  }

  @Get(':id/processes')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: "A subscription's audit trail: the processes that touched it, newest first" })
  @ApiPageResponse(ProcessSummaryDto, "One page of the subscription's processes", { scoped: true })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  @ApiSort(PROCESS_SORTS, '-created_at')
  async processes(@Param('id', UuidParamPipe) id: string, @Query() page: ScopedPageQueryDto, @Scope() scope: TenantScope): Promise<Page<ProcessSummaryDto>> {
    await this.subscriptions.assertExists(id, scope) // a 404 rather than an empty list
    return this.processList.list({ ...page, subscription: id }, scope)
  }

  @Get(':id/versions')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: "A subscription's versions, newest first: the model after each change, who made it, in which process and step" })
  @ApiPageResponse(SubscriptionVersionDto, 'One page of versions', { scoped: true })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUuidParam()
  @ApiSort(VERSION_SORTS, '-version')
  versions(@Param('id', UuidParamPipe) id: string, @Query() page: ScopedPageQueryDto, @Scope() scope: TenantScope): Promise<Page<SubscriptionVersionDto>> {
    return this.subscriptions.versions(id, page, scope)
  }

  @Get(':id/versions/diff')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'What changed between two versions of a subscription (lifecycle, description, every model field)' })
  @ApiOkResponse({ type: VersionDiffDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such subscription or version' })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUuidParam()
  diff(@Param('id', UuidParamPipe) id: string, @Query() query: VersionDiffQueryDto, @Scope() scope: TenantScope): Promise<VersionDiffDto> {
    return this.subscriptions.diff(id, query.from, query.to, scope)
  }

  @Patch(':id')
  @RequirePermission('sources.write')
  @TenantScoped()
  @ApiOperation({ summary: 'Change the description or the note, from the version you read' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'a stale version, or a process holds the lock (named)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  @ApiUuidParam()
  patch(@Param('id', UuidParamPipe) id: string, @Body() body: SubscriptionPatchDto, @Scope() scope: TenantScope): Promise<SubscriptionDto> {
    return this.subscriptions.patch(id, body, scope)
  }

  @Get(':id')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'A subscription with its domain model and the processes that changed it' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  get(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope): Promise<SubscriptionDto> {
    return this.subscriptions.get(id, scope)
  }
}
