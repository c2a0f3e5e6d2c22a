import { Injectable } from '@nestjs/common'
import type { AuditEventDto, AuditQueryDto, Page } from '#contracts/index.js'
import { type Prisma, PrismaService } from '#persistence/index.js'
import { FieldErrorsException } from '../http/problem.js'

export interface AuditEntry {
  actor: string
  actingFor?: string
  roles: readonly string[]
  action: string
  target?: string
  requestId?: string
  outcome: number
  detail?: Record<string, unknown>
}

const DEFAULT_LIMIT = 50

/** The append-only audit log (audit_events; a trigger refuses changes): who did what, when, and how it ended. */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.prisma.auditEvent.create({
      data: {
        actor: entry.actor,
        actingFor: entry.actingFor ?? null,
        roles: [...entry.roles],
        action: entry.action,
        target: entry.target ?? null,
        requestId: entry.requestId ?? null,
        outcome: entry.outcome,
        detail: (entry.detail ?? undefined) as Prisma.InputJsonValue | undefined,
      },
    })
  }

  /** Newest first; the cursor is the id of the last event of the previous page. */
  async list(query: AuditQueryDto): Promise<Page<AuditEventDto>> {
    const limit = query.limit ?? DEFAULT_LIMIT
    if (query.sort !== undefined && query.sort !== '-at') throw new FieldErrorsException(400, [{ path: 'sort', message: 'the audit log is listed newest first only (-at)' }], 'query')
    if (query.cursor !== undefined && !/^\d{1,18}$/.test(query.cursor)) throw new FieldErrorsException(400, [{ path: 'cursor', message: 'is not a cursor this server gave' }], 'query')
    const where: Prisma.AuditEventWhereInput = {
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.target ? { target: query.target } : {}),
      ...(query.since ? { at: { gte: new Date(query.since) } } : {}),
    }
    const [rows, total] = await Promise.all([
      this.prisma.auditEvent.findMany({ where: { ...where, ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}) }, orderBy: { id: 'desc' }, take: limit + 1 }),
      this.prisma.auditEvent.count({ where }),
    ])
    const items = rows.slice(0, limit)
    return {
      items: items.map((e) => ({
        id: e.id.toString(),
        at: e.at.toISOString(),
        actor: e.actor,
        acting_for: e.actingFor,
        roles: e.roles,
        action: e.action,
        target: e.target,
        request_id: e.requestId,
        outcome: e.outcome,
        detail: (e.detail ?? null) as Record<string, unknown> | null,
      })),
      total,
      next_cursor: rows.length > limit ? items[items.length - 1].id.toString() : null,
    }
  }
}
