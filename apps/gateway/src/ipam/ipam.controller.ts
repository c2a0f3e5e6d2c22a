import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common'
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger'
import { AllocationCreateDto, AllocationDto, AllocationListQueryDto, type Page, PoolCreateDto, PoolDto, PoolListQueryDto, ProblemDto } from '#contracts/index.js'
import { BuiltinIpam } from '#integrations/ipam/builtin-ipam.js'
import { type Ipam, IPAM } from '#integrations/ipam/ipam.js'
import { notFound } from '#integrations/errors.js'
import { PrismaService } from '#persistence/index.js'
import { FieldErrorsException } from '../http/problem.js'
import { ApiPageResponse } from '../http/api-page.decorator.js'
import { wholeList } from '../http/pagination.js'
import { BuiltinOnly } from '../http/builtin-only.guard.js'
import { ApiUuidParam, UuidParamPipe } from '../http/uuid-param.pipe.js'
import { RequirePermission } from '../auth/auth.decorators.js'
import { Scope, type TenantScope, TenantScoped, tenantWhere } from '../auth/tenant-scope.js'

/**
 * The built-in IPAM: pools, their utilisation and allocations. Workflows allocate through the same interface
 * as this API's POST, so an address handed out here is never handed out by a workflow too. With NetBox as the
 * IPAM, allocating and releasing go to NetBox; the routes about the built-in pools answer 409.
 */
@ApiTags('ipam')
@Controller('api/ipam')
export class IpamController {
  constructor(
    private readonly builtin: BuiltinIpam,
    @Inject(IPAM) private readonly ipam: Ipam,
    private readonly prisma: PrismaService,
  ) {}

  @Get('pools')
  @RequirePermission('read')
  @BuiltinOnly('ipam')
  @ApiOperation({ summary: 'Pools, by name, with their utilisation' })
  @ApiPageResponse(PoolDto, 'Every pool (or those of one role)')
  async pools(@Query() query: PoolListQueryDto): Promise<Page<PoolDto>> {
    return wholeList(await this.builtin.pools(query.role))
  }

  @Post('pools')
  @RequirePermission('sources.write')
  @BuiltinOnly('ipam')
  @ApiOperation({ summary: 'Create a pool; it may not overlap another' })
  @ApiCreatedResponse({ type: PoolDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the prefix overlaps a pool, or the name is taken' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto })
  createPool(@Body() body: PoolCreateDto): Promise<PoolDto> {
    return this.builtin.createPool(body)
  }

  @Get('pools/:pool')
  @RequirePermission('read')
  @BuiltinOnly('ipam')
  @ApiOperation({ summary: 'One pool, by name or id, with its utilisation' })
  @ApiOkResponse({ type: PoolDto })
  @ApiNotFoundResponse({ type: ProblemDto })
  pool(@Param('pool') pool: string): Promise<PoolDto> {
    return this.builtin.pool(pool)
  }

  @Delete('pools/:pool')
  @RequirePermission('sources.write')
  @BuiltinOnly('ipam')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an empty pool' })
  @ApiNoContentResponse()
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'it still has allocations: how many, and those held by a live (not terminated) subscription or one a process has locked, naming the subscription and the process',
  })
  async deletePool(@Param('pool') pool: string): Promise<void> {
    await this.builtin.deletePool(pool)
  }

  @Get('pools/:pool/allocations')
  @RequirePermission('read')
  @BuiltinOnly('ipam')
  @ApiOperation({ summary: "A pool's allocations, in address order" })
  @ApiPageResponse(AllocationDto, 'Every allocation of the pool')
  async poolAllocations(@Param('pool') pool: string): Promise<Page<AllocationDto>> {
    return wholeList(await this.builtin.allocations(pool))
  }

  @Post('pools/:pool/allocations')
  @RequirePermission('sources.write')
  @TenantScoped()
  @ApiOperation({
    summary: 'Allocate the next free prefix of `length` (or, without it, the next free address) to a subscription and purpose',
    description: 'Idempotent: the same subscription and purpose get the same allocation back.',
  })
  @ApiCreatedResponse({ type: AllocationDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'the pool is exhausted, or the owner holds a different allocation for this purpose' })
  @ApiNotFoundResponse({ type: ProblemDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'a field fails, or no subscription has that subscription_id' })
  async allocate(@Param('pool') pool: string, @Body() body: AllocationCreateDto, @Scope() scope: TenantScope): Promise<AllocationDto> {
    // An allocation belongs to a subscription: one for none would be held by nothing anyone could release with it.
    // Another tenant's subscription is as unknown as none.
    if (!(await this.prisma.subscription.findFirst({ where: { id: body.subscription_id, ...tenantWhere(scope) }, select: { id: true } }))) {
      throw new FieldErrorsException(422, [{ path: 'subscription_id', message: `no subscription has the id ${body.subscription_id}` }], 'request body')
    }
    const request = { pool, subscription_id: body.subscription_id, purpose: body.purpose, description: body.description }
    return body.length === undefined ? this.ipam.allocateAddress(request) : this.ipam.allocatePrefix({ ...request, length: body.length })
  }

  @Get('allocations')
  @RequirePermission('read')
  @BuiltinOnly('ipam')
  @ApiOperation({ summary: "Allocations of a subscription, or of a pool" })
  @ApiPageResponse(AllocationDto, 'The allocations that match')
  @ApiNotFoundResponse({ type: ProblemDto, description: 'no pool by that name' })
  async allocations(@Query() query: AllocationListQueryDto): Promise<Page<AllocationDto>> {
    return wholeList(await this.builtin.findAllocations(query))
  }

  @Delete('allocations/:subscription_id/:purpose')
  @RequirePermission('sources.write')
  @ApiOperation({
    summary: 'Release what a subscription holds for a purpose',
    description:
      'Only what no subscription holds any more: the owner is no subscription, or a terminated one that no process has locked. ' +
      "A live subscription's allocations are given back by its own processes (terminate).",
  })
  @ApiOkResponse({ type: AllocationDto, description: 'what was released' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'it holds nothing for that purpose' })
  @ApiConflictResponse({
    type: ProblemDto,
    description: 'the owner is a live (not terminated) subscription, or one a process has locked: the subscription (product, lifecycle) and the process holding its lock named; nothing released',
  })
  @ApiUuidParam('subscription_id')
  async release(@Param('subscription_id', UuidParamPipe) subscriptionId: string, @Param('purpose') purpose: string): Promise<AllocationDto> {
    const owner = { subscription_id: subscriptionId, purpose }
    // The built-in IPAM checks and releases in one transaction; another IPAM (NetBox) is asked once the check passed.
    const released = this.ipam instanceof BuiltinIpam ? await this.builtin.releaseUnlessHeld(owner) : await this.builtin.assertNotHeld(owner).then(() => this.ipam.release(owner))
    if (!released) throw notFound(`subscription ${subscriptionId} holds no allocation for ${purpose}`)
    return released
  }
}
