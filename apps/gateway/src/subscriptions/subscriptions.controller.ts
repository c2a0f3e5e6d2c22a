import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common'
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import {
  type Page,
  PageQueryDto,
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

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly processList: ProcessesService,
  ) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Subscriptions, newest first, filtered by product, lifecycle, customer, insync' })
  @ApiPageResponse(SubscriptionSummaryDto, 'One page of subscriptions with the total the filters match')
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(SUBSCRIPTION_SORTS, '-created_at')
  list(@Query() query: SubscriptionListQueryDto): Promise<Page<SubscriptionSummaryDto>> {
    return this.subscriptions.list(query)
  }

  @Get(':id/processes')
  @RequirePermission('read')
  @ApiOperation({ summary: "A subscription's audit trail: the processes that touched it, newest first" })
  @ApiPageResponse(ProcessSummaryDto, "One page of the subscription's processes")
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  @ApiSort(PROCESS_SORTS, '-created_at')
  async processes(@Param('id', UuidParamPipe) id: string, @Query() page: PageQueryDto): Promise<Page<ProcessSummaryDto>> {
    await this.subscriptions.assertExists(id) // a 404 rather than an empty list
    return this.processList.list({ ...page, subscription: id })
  }

  @Get(':id/versions')
  @RequirePermission('read')
  @ApiOperation({ summary: "A subscription's versions, newest first: the model after each change, who made it, in which process and step" })
  @ApiPageResponse(SubscriptionVersionDto, 'One page of versions')
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUuidParam()
  @ApiSort(VERSION_SORTS, '-version')
  versions(@Param('id', UuidParamPipe) id: string, @Query() page: PageQueryDto): Promise<Page<SubscriptionVersionDto>> {
    return this.subscriptions.versions(id, page)
  }

  @Get(':id/versions/diff')
  @RequirePermission('read')
  @ApiOperation({ summary: 'What changed between two versions of a subscription (lifecycle, description, every model field)' })
  @ApiOkResponse({ type: VersionDiffDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such subscription or version' })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiUuidParam()
  diff(@Param('id', UuidParamPipe) id: string, @Query() query: VersionDiffQueryDto): Promise<VersionDiffDto> {
    return this.subscriptions.diff(id, query.from, query.to)
  }

  @Patch(':id')
  @RequirePermission('sources.write')
  @ApiOperation({ summary: 'Change the description or the note, from the version you read' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'a stale version, or a process holds the lock (named)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  @ApiUuidParam()
  patch(@Param('id', UuidParamPipe) id: string, @Body() body: SubscriptionPatchDto): Promise<SubscriptionDto> {
    return this.subscriptions.patch(id, body)
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'A subscription with its domain model and the processes that changed it' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  get(@Param('id', UuidParamPipe) id: string): Promise<SubscriptionDto> {
    return this.subscriptions.get(id)
  }
}
