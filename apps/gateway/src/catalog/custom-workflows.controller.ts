import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common'
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import type { Response } from 'express'
import { CustomWorkflowDetailDto, CustomWorkflowDto, CustomWorkflowVersionDto, type Page, ProblemDto, ProcessStartedDto, ScopedPageQueryDto } from '#contracts/index.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { ActingTenant, Scope, TenantScoped, type TenantScope } from '../auth/tenant-scope.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { ApiIdempotencyKey } from '../http/idempotency-key.js'
import { ApiSort } from '../http/pagination.js'
import { FieldErrorsException, RETRY_AFTER_HEADER } from '../http/problem.js'
import { CUSTOM_WORKFLOW_SORTS, CustomWorkflowsService } from './custom-workflows.service.js'

// No `$ref` in the example: OpenAPI tools would take it for a reference of the document (the description names them).
const EXAMPLE = {
  name: 'lab_address',
  description: 'Give a lab host an address once the change board has signed off',
  input: { type: 'object', properties: { host: { type: 'string', minLength: 1 } }, required: ['host'], additionalProperties: false },
  steps: [
    { name: 'sign_off', kind: 'approval', role: 'change-board' },
    { name: 'allocate', action: 'ipam.allocate_address', with: { pool: 'loopbacks-v4', purpose: 'lab_host' }, compensate: { action: 'ipam.release_allocation', with: { purpose: 'lab_host' } } },
    { name: 'done', kind: 'end' },
  ],
}

const ApiName = () => ApiParam({ name: 'name', description: 'the custom workflow (snake_case)', example: 'lab_address' })

/** Custom workflows: definitions as data, registered without a redeploy and run by the interpreter workflow. */
@ApiTags('catalog')
@Controller('api/catalog/workflows')
export class CustomWorkflowsController {
  constructor(private readonly customs: CustomWorkflowsService) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Custom workflows, by name (or ?sort=created_at, updated_at)' })
  @TenantScoped()
  @ApiPageResponse(CustomWorkflowDto, 'One page of custom workflows', { scoped: true })
  @ApiSort(CUSTOM_WORKFLOW_SORTS, 'name')
  list(@Query() query: ScopedPageQueryDto, @Scope() scope: TenantScope): Promise<Page<CustomWorkflowDto> & { tenant_scope: 'all' | string[] }> {
    return this.customs.list(query, scope)
  }

  @Post()
  @RequirePermission('workflows.define')
  @ApiOperation({
    summary: 'Register a custom workflow, or a new version of one',
    description:
      'Values in `with` and conditions are literals or `{"$ref": "input.<field>" | "steps.<step>.<field>" | "process.process_id"}`. New content makes the next version (201); the content of the latest version again answers that version (200). Every reason a definition cannot run is a 422 naming its path: an unknown action, a field an action does not take or needs, a $ref to a step that has not run at that point or to a field it does not give, a step after end or fail, a name used twice or taken by a code workflow, a JSON Schema that cannot be applied.',
  })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE } })
  @ApiCreatedResponse({ type: CustomWorkflowVersionDto, description: 'a new version; Location: /api/catalog/workflows/{name}/versions/{version}' })
  @ApiOkResponse({ type: CustomWorkflowVersionDto, description: 'the latest version has this content already: it is answered, nothing is stored' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'the definition cannot run, each reason with its path' })
  @TenantScoped()
  async register(@Body() body: unknown, @Caller() caller: VerifiedCaller, @ActingTenant() tenant: string, @Res({ passthrough: true }) res: Response): Promise<CustomWorkflowVersionDto> {
    const { version, created } = await this.customs.register(body, caller, tenant)
    res.status(created ? 201 : 200).location(`/api/catalog/workflows/${version.name}/versions/${version.version}`)
    return version
  }

  @Get(':name')
  @RequirePermission('read')
  @ApiOperation({ summary: 'A custom workflow with its versions' })
  @ApiOkResponse({ type: CustomWorkflowDetailDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiName()
  @TenantScoped()
  get(@Param('name') name: string, @ActingTenant() tenant: string): Promise<CustomWorkflowDetailDto> {
    return this.customs.get(name, tenant)
  }

  @Get(':name/versions/:version')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One version of a custom workflow, with its definition (never changed)' })
  @ApiOkResponse({ type: CustomWorkflowVersionDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiName()
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1, maximum: 999_999_999 }, example: 1 })
  @TenantScoped()
  version(@Param('name') name: string, @Param('version') version: string, @ActingTenant() tenant: string): Promise<CustomWorkflowVersionDto> {
    if (!/^[1-9]\d{0,8}$/.test(version)) throw new FieldErrorsException(400, [{ path: 'version', message: 'must be a version number (1, 2, …)' }], 'path')
    return this.customs.version(name, Number(version), tenant)
  }

  @Post(':name/start')
  @RequirePermission('tasks.start')
  @ApiOperation({
    summary: 'Start the latest version of a custom workflow with its input',
    description: 'As POST /api/processes/{workflow}: the body is the input (checked against the definition\'s `input` schema); the process keeps this version whatever is registered later. Follow it at /api/processes/{id}.',
  })
  @ApiIdempotencyKey('repeat a request safely: the same key (per user) gives back the process the first request started, with Idempotent-Replayed: true; reusing it for another request is a 422')
  @ApiBody({ schema: { type: 'object', example: { host: 'lab-7' } } })
  @ApiCreatedResponse({ type: ProcessStartedDto, description: 'Location: /api/processes/{id}' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no custom workflow of that name' })
  @ApiConflictResponse({ type: ProblemDto, description: 'the request first sent with this Idempotency-Key is still starting its process' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'the input fails the definition\'s input schema, field by field' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'Temporal or the engine is not available', headers: RETRY_AFTER_HEADER })
  @ApiName()
  @TenantScoped()
  async start(
    @Param('name') name: string,
    @Body() input: unknown,
    @Res({ passthrough: true }) res: Response,
    @Caller() caller: VerifiedCaller,
    @ActingTenant() tenant: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ProcessStartedDto> {
    const { replayed, ...started } = await this.customs.start(name, input, caller, idempotencyKey, tenant)
    res.status(201).location(`/api/processes/${started.id}`)
    if (replayed) res.setHeader('Idempotent-Replayed', 'true')
    return started
  }
}
