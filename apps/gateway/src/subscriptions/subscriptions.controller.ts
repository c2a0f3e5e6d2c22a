import { Controller, Get, Param, Query } from '@nestjs/common'
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger'
import { type Page, ProblemDto, SubscriptionDto, SubscriptionListQueryDto, type SubscriptionSummaryDto } from '../../../../libs/contracts/src/index.js'
import { UuidParamPipe } from '../http/uuid-param.pipe.js'
import { SubscriptionsService } from './subscriptions.service.js'

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Get()
  @ApiOperation({ summary: 'Subscriptions, newest first, filtered by product, lifecycle, customer, insync' })
  @ApiOkResponse({ description: '{items, total, next_cursor}' })
  @ApiBadRequestResponse({ type: ProblemDto })
  list(@Query() query: SubscriptionListQueryDto): Promise<Page<SubscriptionSummaryDto>> {
    return this.subscriptions.list(query)
  }

  @Get(':id')
  @ApiOperation({ summary: 'A subscription with its domain model and the processes that changed it' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id', UuidParamPipe) id: string): Promise<SubscriptionDto> {
    return this.subscriptions.get(id)
  }
}
