import { Body, Controller, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common'
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import type { Response } from 'express'
import { type Page, ProblemDto, ProcessDto, ProcessListQueryDto, ProcessStartedDto, ProcessSummaryDto } from '../../../../libs/contracts/src/index.js'
import { ANONYMOUS_USER, USER_HEADER } from '../../../../libs/domain/src/index.js'
import { FieldErrorsException } from '../http/problem.js'
import { UuidParamPipe } from '../http/uuid-param.pipe.js'
import { ProcessesService } from './processes.service.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'

const userHeader = { name: 'X-Loom-User', required: false, description: 'who acts; recorded as created_by / answered_by' }

@ApiTags('processes')
@Controller('api/processes')
export class ProcessesController {
  constructor(private readonly processes: ProcessesService) {}

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
