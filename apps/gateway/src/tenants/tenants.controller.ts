import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common'
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import type { Response } from 'express'
import { type Page, ProblemDto, TENANT_ID, TenantCreateDto, TenantDto, TenantMemberCreateDto, TenantMemberDto } from '#contracts/index.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { RETRY_AFTER_HEADER } from '../http/problem.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { Caller, RequirePermission } from '../auth/auth.decorators.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { TenantsService } from './tenants.service.js'
import { TenantIdPipe } from './tenant-id.pipe.js'

const ApiTenantParam = () => ApiParam({ name: 'id', type: String, schema: { type: 'string', pattern: TENANT_ID.source }, description: 'a tenant id (a slug)' })

/** Tenants (SODA's projects) and their members: who sees and acts in which. */
@ApiTags('tenants')
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @RequirePermission('tenants.manage')
  @ApiOperation({ summary: 'Every tenant, by id, with how many members it has' })
  @ApiPageResponse(TenantDto, 'Every tenant')
  list(): Promise<Page<TenantDto>> {
    return this.tenants.list()
  }

  @Post()
  @RequirePermission('tenants.manage')
  @ApiOperation({ summary: 'Make a tenant', description: 'Then add its members: POST /api/tenants/{id}/members.' })
  @ApiCreatedResponse({ type: TenantDto, description: 'Location: /api/tenants/{id}' })
  @ApiConflictResponse({ type: ProblemDto, description: 'the id is taken' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation, named (an id that is not a slug)' })
  async create(@Body() body: TenantCreateDto, @Caller() caller: VerifiedCaller, @Res({ passthrough: true }) res: Response): Promise<TenantDto> {
    const made = await this.tenants.create(body, caller)
    res.location(`/api/tenants/${made.id}`)
    return made
  }

  @Get(':id')
  @RequirePermission('tenants.manage')
  @ApiOperation({ summary: 'One tenant' })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiTenantParam()
  get(@Param('id', TenantIdPipe) id: string): Promise<TenantDto> {
    return this.tenants.get(id)
  }

  @Delete(':id')
  @RequirePermission('tenants.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a tenant that owns nothing', description: 'Refused (409, saying what it owns) while subscriptions, processes or schedules belong to it, and always for `default`.' })
  @ApiNoContentResponse({ description: 'removed, with its memberships' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'it still owns something (named), or it is `default`' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: "Temporal does not answer (a tenant's schedules live there)", headers: RETRY_AFTER_HEADER })
  @ApiTenantParam()
  delete(@Param('id', TenantIdPipe) id: string): Promise<void> {
    return this.tenants.delete(id)
  }

  @Get(':id/members')
  @RequirePermission('tenants.manage')
  @ApiOperation({ summary: "A tenant's members: people (canonical ids) and single API keys" })
  @ApiPageResponse(TenantMemberDto, 'Every member')
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiTenantParam()
  members(@Param('id', TenantIdPipe) id: string): Promise<Page<TenantMemberDto>> {
    return this.tenants.members(id)
  }

  @Post(':id/members')
  @RequirePermission('tenants.manage')
  @ApiOperation({
    summary: 'Add a member',
    description: 'kind `user`: a canonical id (`key:alice`, `https://idp.example.net#alice`), for all of their keys and tokens; kind `api_key`: one key, by its id. Takes effect with their next request.',
  })
  @ApiCreatedResponse({ type: TenantMemberDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'already a member' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails validation, named' })
  @ApiTenantParam()
  addMember(@Param('id', TenantIdPipe) id: string, @Body() body: TenantMemberCreateDto, @Caller() caller: VerifiedCaller): Promise<TenantMemberDto> {
    return this.tenants.addMember(id, body, caller)
  }

  @Delete(':id/members/:member_id')
  @RequirePermission('tenants.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (by the id of the membership)', description: 'Takes effect with their next request.' })
  @ApiNoContentResponse({ description: 'removed' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiTenantParam()
  @ApiUuidParam('member_id')
  removeMember(@Param('id', TenantIdPipe) id: string, @Param('member_id', UuidParamPipe) memberId: string): Promise<void> {
    return this.tenants.removeMember(id, memberId)
  }
}
