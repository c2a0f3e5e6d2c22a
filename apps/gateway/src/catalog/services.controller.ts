import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common'
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger'
import type { Response } from 'express'
import { type Page, ProblemDto, ServiceCreateDto, ServiceDto, ServiceListQueryDto, ServicePatchDto } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { ApiSort } from '../http/pagination.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { Scope, TENANT_HEADER, TenantScoped, type TenantScope } from '../auth/tenant-scope.js'
import { SERVICE_SORTS, ServicesService } from './services.service.js'

const INVALID = 'a field fails validation, named: a workflow the API does not start, an input schema zod cannot read, a field the start form does not take or needs'

/** The service catalogue (seed 004): what users may order, each service running Loom workflows. */
@ApiTags('catalog')
@Controller('api/catalog/services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Get()
  @RequirePermission('read')
  @ApiOperation({ summary: 'Services, newest first; ?group= and ?name= filter' })
  @TenantScoped()
  @ApiPageResponse(ServiceDto, 'One page of services', { scoped: true })
  @ApiBadRequestResponse({ type: ProblemDto })
  @ApiSort(SERVICE_SORTS, '-created_at')
  list(@Query() query: ServiceListQueryDto, @Scope() scope: TenantScope): Promise<Page<ServiceDto> & { tenant_scope: 'all' | string[] }> {
    return this.services.list(query, scope)
  }

  @Post()
  @RequirePermission('catalog.manage')
  @ApiOperation({
    summary: 'Register a service',
    description:
      'The input schema is checked against the start form of each workflow: a service cannot promise what its workflow does not take. Registering the same name with the same content again answers 200 with the service (Idempotent-Replayed: true), so a loop can retry safely.',
  })
  @ApiCreatedResponse({ type: ServiceDto, description: 'Location: /api/catalog/services/{id}' })
  @ApiOkResponse({ type: ServiceDto, description: 'the same service was registered already (Idempotent-Replayed: true)' })
  @ApiConflictResponse({ type: ProblemDto, description: 'the name is taken by a service with other content, named' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: INVALID })
  @TenantScoped()
  async create(@Body() body: ServiceCreateDto, @Caller() caller: VerifiedCaller, @Res({ passthrough: true }) res: Response, @Headers(TENANT_HEADER) header?: string): Promise<ServiceDto> {
    const { service, created } = await this.services.create(body, caller, header)
    res.status(created ? 201 : 200).location(`/api/catalog/services/${service.id}`)
    if (!created) res.setHeader('Idempotent-Replayed', 'true')
    return service
  }

  @Get(':id')
  @RequirePermission('read')
  @ApiOperation({ summary: 'One service' })
  @ApiOkResponse({ type: ServiceDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUuidParam()
  @TenantScoped()
  get(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope): Promise<ServiceDto> {
    return this.services.get(id, scope)
  }

  @Put(':id')
  @RequirePermission('catalog.manage')
  @ApiOperation({ summary: 'Change a service: the whole of it, as registered', description: 'Running instances go on with what they started with.' })
  @ApiOkResponse({ type: ServiceDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the new name is another service\'s' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: INVALID })
  @ApiUuidParam()
  @TenantScoped()
  replace(@Param('id', UuidParamPipe) id: string, @Body() body: ServiceCreateDto, @Scope() scope: TenantScope): Promise<ServiceDto> {
    return this.services.replace(id, body, scope)
  }

  @Patch(':id')
  @RequirePermission('catalog.manage')
  @ApiOperation({ summary: 'Change some fields of a service', description: 'Only the fields given change; input "" goes back to the start form as it is. The result is checked whole.' })
  @ApiOkResponse({ type: ServiceDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the new name is another service\'s' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: INVALID })
  @ApiUuidParam()
  @TenantScoped()
  patch(@Param('id', UuidParamPipe) id: string, @Body() body: ServicePatchDto, @Scope() scope: TenantScope): Promise<ServiceDto> {
    return this.services.patch(id, body, scope)
  }

  @Delete(':id')
  @RequirePermission('catalog.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a service', description: 'Refused (409, naming them) while instances of it run. The instances that ran it stay readable.' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'instances of it are running, named' })
  @ApiUuidParam()
  @TenantScoped()
  async remove(@Param('id', UuidParamPipe) id: string, @Scope() scope: TenantScope): Promise<void> {
    await this.services.remove(id, scope)
  }
}
