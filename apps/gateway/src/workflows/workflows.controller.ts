import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common'
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { z } from 'zod'
import { ProblemDto, WorkflowDto } from '../../../../libs/contracts/src/index.js'
import { WorkflowCatalog } from './workflow-catalog.service.js'

@ApiTags('workflows')
@Controller('api/workflows')
export class WorkflowsController {
  constructor(private readonly catalog: WorkflowCatalog) {}

  @Get()
  @ApiOperation({ summary: 'Every workflow, with its target, product and ordered steps' })
  @ApiOkResponse({ type: [WorkflowDto] })
  list(): WorkflowDto[] {
    return this.catalog.list()
  }

  @Get(':name')
  @ApiOperation({ summary: 'One workflow and its step list (nothing is run)' })
  @ApiOkResponse({ type: WorkflowDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  get(@Param('name') name: string): WorkflowDto {
    return this.catalog.get(name)
  }

  @Get(':name/form')
  @ApiOperation({ summary: 'JSON Schema of the start form, its choices filled from the sources of truth' })
  @ApiOkResponse({ schema: { type: 'object', example: { type: 'object', properties: { router: { type: 'string', enum: ['ams-pe1'] } } } } })
  @ApiNotFoundResponse({ type: ProblemDto })
  async form(@Param('name') name: string): Promise<Record<string, unknown>> {
    return z.toJSONSchema(await this.catalog.formSchema(name), { io: 'input' })
  }

  @Post(':name/form')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check answers against the start form without starting anything' })
  @ApiBody({ schema: { type: 'object', example: { router: 'ams-pe1', customer_id: 'acme' } } })
  @ApiOkResponse({ schema: { type: 'object', example: { complete: true } } })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  async check(@Param('name') name: string, @Body() answers: unknown): Promise<{ complete: true }> {
    await this.catalog.validate(this.catalog.startable(name).form, answers)
    return { complete: true }
  }
}
