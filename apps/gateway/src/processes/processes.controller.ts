import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common'
import { ApiBadRequestResponse, ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import type { Request, Response } from 'express'
import { type Page, ProblemDto, ProcessAbortDto, ProcessDto, ProcessListQueryDto, ProcessStartedDto, ProcessSummaryDto } from '#contracts/index.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { ProcessEventsService } from './process-events.service.js'
import { ApiSort } from '../http/pagination.js'
import { ApiIdempotencyKey } from '../http/idempotency-key.js'
import { ApiNamedParam } from '../http/openapi.js'
import { PROCESS_SORTS, ProcessesService } from './processes.service.js'

import { ApiPageResponse } from '../http/api-page.decorator.js'
import { Caller, Public, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { ActingTenant, Scope, type TenantScope, TenantScoped } from '../auth/tenant-scope.js'

@ApiTags('processes')
@Controller('api/processes')
export class ProcessesController {
  constructor(
    private readonly processes: ProcessesService,
    private readonly changes: ProcessEventsService,
  ) {}

  @Post(':workflow')
  @RequirePermission('processes.start')
  @TenantScoped()
  @ApiOperation({ summary: 'Start a workflow with the answers to its form (GET /api/workflows/{workflow}/form)' })
  @ApiIdempotencyKey('repeat a request safely: the same key (per user) gives back the process the first request started, with Idempotent-Replayed: true; reusing it for another request is a 422')
  @ApiBody({ schema: { type: 'object', example: { router: 'ams-pe1', customer_id: 'acme' } } })
  @ApiCreatedResponse({ type: ProcessStartedDto, description: 'Location: /api/processes/{id}' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'malformed JSON' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such workflow' })
  @ApiConflictResponse({ type: ProblemDto, description: 'a resource it needs is held by another process, a subscription it changes is locked, or its form forbids it now (a subscription still in use); names who' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'answers that fail the form, field by field (a customer_id the customer source does not know among them)' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal, the engine or the customer system (LOOM_CUSTOMERS=webhook) is not available', headers: RETRY_AFTER_HEADER })
  @ApiNamedParam('workflow', 'startable-workflows', 'the workflow to start')
  async start(
    @Param('workflow') workflow: string,
    @Body() answers: unknown,
    @Res({ passthrough: true }) res: Response,
    @Caller() caller: VerifiedCaller,
    @ActingTenant() tenant: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ProcessStartedDto> {
    const { replayed, ...started } = await this.processes.start(workflow, answers, caller, idempotencyKey, { tenant })
    res.status(201).location(`/api/processes/${started.id}`)
    if (replayed) res.setHeader('Idempotent-Replayed', 'true')
    return started
  }

  @Get()
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'Processes, newest first; e.g. ?status=waiting&assignee=noc for what waits for a team' })
  @ApiPageResponse(ProcessSummaryDto, 'Processes, newest first', { scoped: true })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(PROCESS_SORTS, '-created_at')
  list(@Query() query: ProcessListQueryDto, @Scope() scope: TenantScope): Promise<Page<ProcessSummaryDto>> {
    return this.processes.list(query, scope)
  }

  @Get(':id')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({ summary: 'A process: status, every step, the input it waits for, the Temporal Web UI link' })
  @ApiOkResponse({ type: ProcessDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  get(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope): Promise<ProcessDto> {
    return this.processes.get(id, scope)
  }

  @Get(':id/events')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({
    summary: 'Follow a process as it runs (Server-Sent Events)',
    description:
      'An `event: process` with the whole process (as GET /api/processes/{id}) at once and after every change to it or its steps; the stream ends after the process ends. A comment line every 15 s keeps proxies from closing it.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of `event: process` / `data: {…process…}`' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  async events(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope, @Req() req: Request, @Res() res: Response): Promise<void> {
    let last = await this.processes.get(id, scope) // an unknown id (or one outside the scope) is a 404 before the stream starts
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    const send = (p: ProcessDto) => res.write(`event: process\ndata: ${JSON.stringify(p)}\n\n`)
    send(last)
    if (last.completed_at) return void res.end()
    let reading = false
    let again = false
    let stop = () => {}
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
    let closed = false
    const close = () => {
      closed = true
      stop()
      clearInterval(heartbeat)
    }
    req.on('close', close)
    // One read at a time; changes that arrive during a read are covered by one more read after it.
    const reread = async (): Promise<void> => {
      if (reading) return void (again = true)
      reading = true
      try {
        const now = await this.processes.get(id, scope)
        if (JSON.stringify(now) !== JSON.stringify(last)) send((last = now))
        if (now.completed_at) {
          close()
          res.end()
          return
        }
      } catch {
        // A failed read (the database restarting): the next change reads again.
      } finally {
        reading = false
      }
      if (again) {
        again = false
        await reread()
      }
    }
    stop = await this.changes.follow(id, () => void reread())
    if (closed) return stop() // the client left while we began to follow
    await reread() // what changed between the first read and following
  }

  @Put(':id/resume')
  @RequirePermission('processes.answer', 'approvals.answer', 'processes.operate')
  @TenantScoped()
  @ApiOperation({
    summary: 'Answer the input or approval step the process waits for, or retry its suspended step',
    description:
      'Waiting: the body is the answer (its JSON Schema is pending_input.form). Suspended: send `{}` and the failed step runs again (idempotently). Approval steps need the role they name, and may refuse the person who started the process (and the creator of the schedule that started it). Retrying needs processes.operate.',
  })
  @ApiBody({ schema: { type: 'object', example: { confirm_config_applied: true } } })
  @ApiOkResponse({ type: ProcessDto })
  @ApiForbiddenResponse({
    type: ProblemDto,
    description: 'the caller lacks permission `processes.answer` (to answer) or `processes.operate` (to retry), or may not answer this approval (its role, or their own process)',
  })
  @ApiConflictResponse({ type: ProblemDto, description: 'the process neither waits for input nor is suspended' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'the answer fails the form; nothing is recorded' })
  @ApiUuidParam()
  resume(@Param('id', UuidParamPipe) id: string, @Body() answer: unknown, @Caller() caller: VerifiedCaller, @Scope() scope: TenantScope): Promise<ProcessDto> {
    return this.processes.resume(id, answer, caller, scope)
  }

  @Put(':id/abort')
  @RequirePermission('processes.operate')
  @TenantScoped()
  @ApiOperation({
    summary: 'Abort: undo what the process did, newest first, and end it aborted',
    description:
      'The compensations declared by the completed steps run in reverse order (allocations released, planned objects deleted, lifecycles put back); the locks are released. Answers when the process has ended, or after 30 s with the process as it is (follow /events).',
  })
  @ApiOkResponse({ type: ProcessDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the process has already ended, or is ending' })
  @ApiUuidParam()
  abort(@Param('id', UuidParamPipe) id: string, @Body() body: ProcessAbortDto, @Caller() caller: VerifiedCaller, @Scope() scope: TenantScope): Promise<ProcessDto> {
    return this.processes.abort(id, caller, scope, body?.reason)
  }

  @Post(':id/callback/:token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'An external system reports back to a callback step',
    description: 'The URL (with its one-time token) was sent to the system when the step opened; the body must fit the step\'s declared schema.',
  })
  @ApiOkResponse({ schema: { type: 'object', example: { step: 'wait_for_provisioning' } } })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no open callback of this process has this token' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'the body fails the step\'s schema' })
  @ApiUuidParam()
  callback(@Param('id', UuidParamPipe) id: string, @Param('token') token: string, @Body() body: unknown): Promise<{ step: string }> {
    return this.processes.callback(id, token, body)
  }
}
