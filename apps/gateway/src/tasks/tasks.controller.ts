import { ApiIdempotencyKey } from '../http/idempotency-key.js'
import { Body, Controller, Headers, Post, Query, Res } from '@nestjs/common'
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import type { Response } from 'express'
import { FleetReportDto, ProblemDto, ProcessStartedDto, UpgradeOsRequestDto } from '#contracts/index.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import { ActingTenant, TenantScoped } from '../auth/tenant-scope.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { FieldErrorsException, RETRY_AFTER_HEADER } from '../http/problem.js'
import { TasksService } from './tasks.service.js'

@ApiTags('tasks')
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post('upgrade-os')
  @RequirePermission('tasks.start')
  @TenantScoped()
  @ApiOperation({
    summary: "Upgrade the OS of the fleet (the nornir3 demo's endpoint): completed, failed and skipped hosts",
    description:
      'Starts a task_upgrade_os process and, by default, answers its report when it ends, as the seed does (Content-Location: the process). ' +
      'With `Prefer: respond-async` or `?async=true` it answers 202 at once with the process: follow it with GET /api/processes/{id}/events (its `fleet` field shows the groups at work). ' +
      'A synchronous request that would wait more than 10 minutes, or whose task halts (suspended) or waits for the canary approval, also answers 202 with the process.',
  })
  @ApiHeader({ name: 'Prefer', required: false, description: '`respond-async`: answer 202 with the process at once' })
  @ApiIdempotencyKey('the same key (per user) gives back the task the first request started')
  @ApiQuery({ name: 'async', required: false, enum: ['true', 'false'], description: 'as Prefer: respond-async' })
  @ApiBody({
    type: UpgradeOsRequestDto,
    examples: {
      earth: { summary: 'every device at earth', value: { version: '5.3.1', filter_sites: ['earth'] } },
      spines: { summary: 'every spine', value: { version: '5.3.1', filter_dev_types: ['spine'] } },
      staged: { summary: 'a canary of 8, then a halt above 5 % failures, at most 10 devices down per site', value: { version: '5.3.1', canary: { devices: 8 }, halt_failure_rate: 0.05, max_down_per_site: 10 } },
    },
  })
  @ApiOkResponse({ type: FleetReportDto, description: 'the task ended: its report; Content-Location: /api/processes/{id}' })
  @ApiAcceptedResponse({ type: ProcessStartedDto, description: 'asked to answer at once, or the task is still going (halted, waiting for approval, or longer than 10 minutes); Location: the process' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'not a JSON object, or a field the task does not know (named, with what it may have meant)' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'the caller lacks tasks.start' })
  @ApiConflictResponse({ type: ProblemDto, description: 'another unfinished fleet task holds some of the devices (named), or the task was aborted or failed before it ended' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails the form (a version, a policy, a number out of range), or a filter selects no device (a site or type the inventory does not have)' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal or the database is not available', headers: RETRY_AFTER_HEADER })
  async upgradeOs(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Caller() caller: VerifiedCaller,
    @ActingTenant() tenant: string,
    @Query('async') async?: string,
    @Headers('prefer') prefer?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<FleetReportDto | ProcessStartedDto> {
    if (async !== undefined && async !== 'true' && async !== 'false') throw new FieldErrorsException(400, [{ path: 'async', message: 'expected true or false' }], 'query')
    const respondAsync = async === 'true' || /(^|[\s,;])respond-async($|[\s,;])/i.test(prefer ?? '')
    const answer = await this.tasks.upgradeOs(body, caller, { wait: !respondAsync, idempotencyKey, tenant })
    if (answer.kind === 'report') {
      res.status(200).setHeader('Content-Location', `/api/processes/${answer.process_id}`)
      return answer.report
    }
    res.status(202).location(`/api/processes/${answer.started.id}`)
    if (respondAsync) res.setHeader('Preference-Applied', 'respond-async')
    return answer.started
  }
}
