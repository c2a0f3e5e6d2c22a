import { Body, Controller, Get, Headers, Param, Post, Put, Query, Req, Res } from '@nestjs/common'
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import type { Request, Response } from 'express'
import { type Page, ProblemDto, ProcessDto, ProcessListQueryDto, ProcessStartedDto, ProcessSummaryDto } from '../../../../libs/contracts/src/index.js'
import { ANONYMOUS_USER, USER_HEADER } from '../../../../libs/domain/src/index.js'
import { FieldErrorsException } from '../http/problem.js'
import { UuidParamPipe } from '../http/uuid-param.pipe.js'
import { ProcessEventsService } from './process-events.service.js'
import { ProcessesService } from './processes.service.js'

/** A process in one of these will not change any more. */
const ENDED = new Set(['completed', 'failed', 'aborted'])
import { ApiPageResponse } from '../http/api-page.decorator.js'

const userHeader = { name: 'X-Loom-User', required: false, description: 'who acts; recorded as created_by / answered_by' }

@ApiTags('processes')
@Controller('api/processes')
export class ProcessesController {
  constructor(
    private readonly processes: ProcessesService,
    private readonly changes: ProcessEventsService,
  ) {}

  @Post(':workflow')
  @ApiOperation({ summary: 'Start a workflow with the answers to its form (GET /api/workflows/{workflow}/form)' })
  @ApiHeader(userHeader)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'repeat a request safely: the same key (per user) gives back the process the first request started, with Idempotent-Replayed: true; reusing it for another request is a 422',
  })
  @ApiBody({ schema: { type: 'object', example: { router: 'ams-pe1', customer_id: 'acme' } } })
  @ApiCreatedResponse({ type: ProcessStartedDto, description: 'Location: /api/processes/{id}' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'malformed JSON' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no such workflow' })
  @ApiConflictResponse({ type: ProblemDto, description: 'a resource it needs is held by another process; names it' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'answers that fail the form, field by field' })
  async start(
    @Param('workflow') workflow: string,
    @Body() answers: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers(USER_HEADER) user?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ProcessStartedDto> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new FieldErrorsException(400, [{ path: 'Idempotency-Key', message: 'must be 1 to 255 printable characters without spaces, e.g. a UUID' }], 'request')
    }
    const { replayed, ...started } = await this.processes.start(workflow, answers, user || ANONYMOUS_USER, idempotencyKey)
    res.status(201).location(`/api/processes/${started.id}`)
    if (replayed) res.setHeader('Idempotent-Replayed', 'true')
    return started
  }

  @Get()
  @ApiOperation({ summary: 'Processes, newest first; e.g. ?status=waiting&assignee=noc for what waits for a team' })
  @ApiPageResponse(ProcessSummaryDto, 'Processes, newest first')
  @ApiBadRequestResponse({ type: ProblemDto })
  list(@Query() query: ProcessListQueryDto): Promise<Page<ProcessSummaryDto>> {
    return this.processes.list(query)
  }

  @Get(':id')
  @ApiOperation({ summary: 'A process: status, every step, the input it waits for, the Temporal Web UI link' })
  @ApiOkResponse({ type: ProcessDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('id', UuidParamPipe) id: string): Promise<ProcessDto> {
    return this.processes.get(id)
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'Follow a process as it runs (Server-Sent Events)',
    description:
      'An `event: process` with the whole process (as GET /api/processes/{id}) at once and after every change to it or its steps; the stream ends after the process ends. A comment line every 15 s keeps proxies from closing it.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream of `event: process` / `data: {…process…}`' })
  @ApiNotFoundResponse({ type: ProblemDto })
  async events(@Param('id', UuidParamPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    let last = await this.processes.get(id) // an unknown id is a 404 before the stream starts
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    const send = (p: ProcessDto) => res.write(`event: process\ndata: ${JSON.stringify(p)}\n\n`)
    send(last)
    if (ENDED.has(last.status)) return void res.end()
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
        const now = await this.processes.get(id)
        if (JSON.stringify(now) !== JSON.stringify(last)) send((last = now))
        if (ENDED.has(now.status)) {
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
  @ApiOperation({ summary: 'Answer the input step the process waits for (its form is in pending_input.form)' })
  @ApiHeader(userHeader)
  @ApiBody({ schema: { type: 'object', example: { confirm_config_applied: true } } })
  @ApiOkResponse({ type: ProcessDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the process is not waiting for input' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'the answer fails the form; nothing is recorded' })
  resume(@Param('id', UuidParamPipe) id: string, @Body() answer: unknown, @Headers(USER_HEADER) user?: string): Promise<ProcessDto> {
    return this.processes.resume(id, answer, user || ANONYMOUS_USER)
  }
}
