import { ConflictException, Injectable, NotFoundException } from '@nestjs/common'
import { v7 as uuidv7 } from 'uuid'
import type { Page, TenantCreateDto, TenantDto, TenantMemberCreateDto, TenantMemberDto } from '#contracts/index.js'
import { isUniqueViolation, Prisma, PrismaService } from '#persistence/index.js'
import { wholeList } from '../http/pagination.js'
import { DEFAULT_TENANT } from '../auth/tenant-scope.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { SchedulesService } from '../schedules/schedules.service.js'

type TenantRow = Prisma.TenantGetPayload<{ include: { _count: { select: { members: true } } } }>
type MemberRow = Prisma.TenantMemberGetPayload<object>

const WITH_MEMBER_COUNT = { _count: { select: { members: true } } } as const

/** Tenants and who is in them (permission tenants.manage). */
@Injectable()
export class TenantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly schedules: SchedulesService,
  ) {}

  async list(): Promise<Page<TenantDto>> {
    return wholeList((await this.prisma.tenant.findMany({ include: WITH_MEMBER_COUNT, orderBy: { id: 'asc' } })).map(toDto))
  }

  async get(id: string): Promise<TenantDto> {
    const row = await this.prisma.tenant.findUnique({ where: { id }, include: WITH_MEMBER_COUNT })
    if (!row) throw new NotFoundException(`No tenant ${id}.`)
    return toDto(row)
  }

  async create(body: TenantCreateDto, caller: VerifiedCaller): Promise<TenantDto> {
    try {
      return toDto(await this.prisma.tenant.create({ data: { id: body.id, name: body.name, description: body.description ?? null, createdBy: caller.user }, include: WITH_MEMBER_COUNT }))
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`Tenant ${body.id} exists already.`)
      throw error
    }
  }

  /**
   * Removes a tenant that owns nothing (its memberships go with it). While it owns subscriptions, processes,
   * schedules, services or custom workflows, a 409 says how many of each: they are its audit trail, not to be
   * orphaned or moved silently.
   */
  async delete(id: string): Promise<void> {
    if (id === DEFAULT_TENANT) throw new ConflictException(`Tenant ${DEFAULT_TENANT} stays: it is where callers in no tenant act (LOOM_UNASSIGNED_CALLERS=default) and what the tables fall back to.`)
    await this.get(id)
    const [subscriptions, processes, schedules, services, customs] = await Promise.all([
      this.prisma.subscription.count({ where: { tenantId: id } }),
      this.prisma.process.count({ where: { tenantId: id } }),
      this.schedules.list({ tenants: [id] }).then((page) => page.total),
      this.prisma.catalogService.count({ where: { tenantId: id } }),
      this.prisma.customWorkflow.count({ where: { tenantId: id } }),
    ])
    const owned = [
      plural(subscriptions, 'subscription'),
      plural(processes, 'process', 'processes'),
      plural(schedules, 'schedule'),
      plural(services, 'service'),
      plural(customs, 'custom workflow'),
    ].filter(Boolean)
    if (owned.length) throw new ConflictException(`Tenant ${id} still owns ${owned.join(', ')}.`)
    try {
      await this.prisma.tenant.delete({ where: { id } })
    } catch (error) {
      // Something it owns was added meanwhile.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') throw new ConflictException(`Tenant ${id} still owns rows in a table that names its tenant (${JSON.stringify(error.meta ?? {})}).`)
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new NotFoundException(`No tenant ${id}.`)
      throw error
    }
  }

  async members(id: string): Promise<Page<TenantMemberDto>> {
    await this.get(id)
    return wholeList((await this.prisma.tenantMember.findMany({ where: { tenantId: id }, orderBy: { createdAt: 'asc' } })).map(toMemberDto))
  }

  async addMember(id: string, body: TenantMemberCreateDto, caller: VerifiedCaller): Promise<TenantMemberDto> {
    await this.get(id)
    try {
      return toMemberDto(await this.prisma.tenantMember.create({ data: { id: uuidv7(), tenantId: id, kind: body.kind, member: body.member, createdBy: caller.user } }))
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`${body.member} (${body.kind}) is a member of tenant ${id} already.`)
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') throw new NotFoundException(`No tenant ${id}.`)
      throw error
    }
  }

  async removeMember(id: string, memberId: string): Promise<void> {
    const { count } = await this.prisma.tenantMember.deleteMany({ where: { id: memberId, tenantId: id } })
    if (count === 0) throw new NotFoundException(`Tenant ${id} has no membership ${memberId}.`)
  }
}

const plural = (n: number, one: string, many = `${one}s`) => (n ? `${n} ${n === 1 ? one : many}` : '')

function toDto(t: TenantRow): TenantDto {
  return { id: t.id, name: t.name, description: t.description, created_by: t.createdBy, created_at: t.createdAt.toISOString(), members: t._count.members }
}

function toMemberDto(m: MemberRow): TenantMemberDto {
  return { id: m.id, tenant_id: m.tenantId, kind: m.kind, member: m.member, created_by: m.createdBy, created_at: m.createdAt.toISOString() }
}
