import { Body, Controller, Delete, Get, Headers, Param, Post, Query, Res } from '@nestjs/common'
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import type { Response } from 'express'
import { InstanceDto, InstanceListQueryDto, InstanceRunDto, type Page, ProblemDto } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { ApiIdempotencyKey } from '../http/idempotency-key.js'
import { ApiSort } from '../http/pagination.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { Scope, TenantScoped, type TenantScope } from '../auth/tenant-scope.js'
import { INSTANCE_SORTS, InstancesService } from './instances.service.js'

/** Instances of the catalogue's services: running one starts its workflow, deleting one aborts what runs. */
@ApiTags('catalog')
@Controller('api/catalog/instances')
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Instances, newest first; ?service_id= and ?status= filter' })
  @TenantScoped()
  @ApiPageResponse(InstanceDto, 'One page of instances', { scoped: true })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(INSTANCE_SORTS, '-created_at')
  list(@Query() query: InstanceListQueryDto, @Scope() scope: TenantScope): Promise<Page<InstanceDto> & { tenant_scope: 'all' | string[] }> {
    return this.instances.list(query, scope)
  }

  @Post()
  @RequirePermission('processes.start')
  @ApiOperation({
    summary: "Run an instance of a service: its parameters checked against the service's input, then its workflow started",
    description: 'The instance\'s id is its process\'s: follow it with GET /api/processes/{id}/events, answer its input steps with PUT /api/processes/{id}/resume.',
  })
  @ApiIdempotencyKey('repeat a request safely: the same key (per user) gives back the instance the first request ran, with Idempotent-Replayed: true; reusing it for another request is a 422')
  @ApiCreatedResponse({ type: InstanceDto, description: 'Location: /api/catalog/instances/{id}' })
  @ApiForbiddenResponse({ type: ProblemDto, description: "the caller may not start the service's workflow (a task needs tasks.start)" })
  @ApiConflictResponse({ type: ProblemDto, description: 'a resource the workflow needs is held by another process, or a subscription it changes is locked; names who' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: "no such service, an action it does not run, or parameters that fail its input or the workflow's start form (each at parameters.…)" })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal or the engine is not available', headers: RETRY_AFTER_HEADER })
  @TenantScoped()
  async run(@Body() body: InstanceRunDto, @Caller() caller: VerifiedCaller, @Scope() scope: TenantScope, @Res({ passthrough: true }) res: Response, @Headers('idempotency-key') idempotencyKey?: string): Promise<InstanceDto> {
    const { instance, replayed } = await this.instances.run(body, caller, scope, idempotencyKey)
    res.status(201).location(`/api/catalog/instances/${instance.id}`)
    if (replayed) res.setHeader('Idempotent-Replayed', 'true')
    return instance
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One instance, its status following its process' })
  @ApiOkResponse({ type: InstanceDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  @TenantScoped()
  get(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope): Promise<InstanceDto> {
    return this.instances.get(id, scope)
  }

  @Delete(':id')
  @RequirePermission('processes.operate')
  @ApiOperation({
    summary: 'Delete an instance; a running one is aborted first (its compensations run, newest first)',
    description: 'Ended, or aborted within 30 s: 204. Still compensating: 202 with the instance, status deleting; it goes once its process has ended. Past a point of no return: 409, the instance stays.',
  })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiAcceptedResponse({ type: InstanceDto, description: 'its process is being aborted; the instance goes once it has ended' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'its process is past a point of no return and cannot be aborted, named' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal is not available to abort it', headers: RETRY_AFTER_HEADER })
  @ApiUuidParam()
  @TenantScoped()
  async remove(@Param('id', UuidParamPipe) id: string, @Caller() caller: VerifiedCaller, @Scope() scope: TenantScope, @Res({ passthrough: true }) res: Response): Promise<InstanceDto | undefined> {
    const done = await this.instances.remove(id, caller, scope)
    if (done.deleted) {
      res.status(204)
      return undefined
    }
    res.status(202)
    return done.instance
  }
}
