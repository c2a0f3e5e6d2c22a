import { ApiNamedParam } from '../http/openapi.js'
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common'
import { ApiBadRequestResponse, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { z } from 'zod'
import { type Page, ProblemDto, WorkflowDto, WorkflowListQueryDto } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { pageInMemory } from '../http/pagination.js'
import { WorkflowCatalog } from './workflow-catalog.service.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { RequirePermission } from '../auth/auth.decorators.js'
import { Scope, type TenantScope, TenantScoped } from '../auth/tenant-scope.js'

@ApiTags('workflows')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly catalog: WorkflowCatalog) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'The workflows by name, each with its target, product and ordered steps' })
  @ApiPageResponse(WorkflowDto, 'One page of the workflows, by name')
  @ApiBadRequestResponse({ type: ProblemDto, description: 'a bad limit or cursor, named' })
  list(@Query() query: WorkflowListQueryDto): Page<WorkflowDto> {
    return pageInMemory(this.catalog.list(), (w) => w.name, 'name', query)
  }

  @Get(':name')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One workflow and its step list (nothing is run)' })
  @ApiOkResponse({ type: WorkflowDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiNamedParam('name', 'workflows', 'a workflow')
  get(@Param('name') name: string): WorkflowDto {
    return this.catalog.get(name)
  }

  @Get(':name/form')
  @RequirePermission('read')
  @TenantScoped()
  @ApiOperation({
    summary: 'JSON Schema of the first page of the start form, its choices filled from the sources of truth',
    description: 'A form of several pages says so in `x-loom-pages`; POST the answers so far to this path for the next page.',
  })
  @ApiOkResponse({ schema: { type: 'object', example: { type: 'object', properties: { router: { type: 'string', enum: ['ams-pe1'] } }, 'x-loom-page': 1, 'x-loom-pages': 1 } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiNamedParam('name', 'startable-workflows', 'a workflow started through /api/processes')
  async form(@Param('name') name: string, @Scope() scope: TenantScope): Promise<Record<string, unknown>> {
    const { form } = this.catalog.startable(name)
    return pageSchema(await form.pages[0](this.catalog.formContext(scope), {}), 1, form.pages.length)
  }

  @Post(':name/form')
  @RequirePermission('read')
  @TenantScoped()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check the answers so far; get the next page, or {complete: true}',
    description: 'Each page is built from the answers before it (pick a node, then one of its free ports). Nothing is started.',
  })
  @ApiBody({ schema: { type: 'object', example: { router: 'ams-pe1', customer_id: 'acme' } } })
  @ApiOkResponse({ schema: { type: 'object', example: { complete: false, page: 2, pages: 2, form: { type: 'object' } } } })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'answers that fail the form, field by field (a customer_id the customer source does not know among them)' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'the customer system (LOOM_CUSTOMERS=webhook) does not answer', headers: RETRY_AFTER_HEADER })
  @ApiNamedParam('name', 'startable-workflows', 'a workflow started through /api/processes')
  async check(@Param('name') name: string, @Body() answers: unknown, @Scope() scope: TenantScope): Promise<{ complete: true } | { complete: false; page: number; pages: number; form: Record<string, unknown> }> {
    const walked = await this.catalog.walk(this.catalog.startable(name).form, answers, scope)
    if (walked.complete) return { complete: true }
    return { complete: false, page: walked.page, pages: walked.pages, form: pageSchema(walked.schema, walked.page, walked.pages) }
  }
}

function pageSchema(schema: z.ZodType, page: number, pages: number): Record<string, unknown> {
  return { ...z.toJSONSchema(schema, { io: 'input' }), 'x-loom-page': page, 'x-loom-pages': pages }
}
