// The process list in SQL: one statement for a page and its total, what operators and teams poll most
// (`?status=waiting&assignee=noc`). Columns are named like Prisma's fields so that one mapper serves both.
import type pg from 'pg'
import type { ProcessListQueryDto } from '#contracts/index.js'
import type { Position, Sort } from '../http/pagination.js'
import { Params, runPage, type Statement, whereOf } from '../http/sql.js'
import type { ProcessRow } from './process-view.js'
import { type TenantScope, tenantPredicate } from '../auth/tenant-scope.js'

const SUMMARY = `p.id, p.workflow, p.target, p.status, p.created_by AS "createdBy", p.tenant_id AS "tenantId", p.assignee, p.parent_id AS "parentId",
  p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.completed_at AS "completedAt",
  coalesce((SELECT json_agg(json_build_object('subscriptionId', ps.subscription_id) ORDER BY ps.created_at) FROM process_subscriptions ps WHERE ps.process_id = p.id), '[]') AS subscriptions`

function filtersOf(query: ProcessListQueryDto, scope: TenantScope, params: Params): string[] {
  const where: string[] = []
  const tenant = tenantPredicate(scope, 'p.tenant_id', params)
  if (tenant) where.push(tenant)
  if (query.status) where.push(`p.status = ${params.add(query.status)}::process_status`)
  if (query.workflow) where.push(`p.workflow = ${params.add(query.workflow)}`)
  if (query.created_by) where.push(`p.created_by = ${params.add(query.created_by)}`)
  if (query.assignee) where.push(`p.assignee = ${params.add(query.assignee)}`)
  if (query.parent_id) where.push(`p.parent_id = ${params.add(query.parent_id)}::uuid`)
  if (query.subscription) where.push(`EXISTS (SELECT 1 FROM process_subscriptions ps WHERE ps.process_id = p.id AND ps.subscription_id = ${params.add(query.subscription)}::uuid)`)
  if (query.product) {
    where.push(`EXISTS (SELECT 1 FROM process_subscriptions ps JOIN subscriptions s ON s.id = ps.subscription_id WHERE ps.process_id = p.id AND s.product = ${params.add(query.product)})`)
  }
  return where
}

/** A page (`limit + 1` rows: the extra one tells whether another follows), each row with the total; one row with only the total when the page is empty. */
export function processListStatement(query: ProcessListQueryDto, scope: TenantScope, sort: Sort, after: Position | undefined, limit: number): Statement {
  const params = new Params()
  const filters = filtersOf(query, scope, params)
  const column = ({ createdAt: 'created_at', updatedAt: 'updated_at', workflow: 'workflow' } as Record<string, string>)[sort.field]
  const direction = sort.direction === 'desc' ? 'DESC' : 'ASC'
  const cast = sort.dates ? '::timestamptz' : ''
  const beyond = after ? [`(p.${column}, p.id) ${sort.direction === 'desc' ? '<' : '>'} (${params.add(after.value)}${cast}, ${params.add(after.id)}::uuid)`] : []
  const text = `SELECT t.total, page.* FROM (SELECT count(*)::int AS total FROM processes p ${whereOf(filters)}) t
    LEFT JOIN LATERAL (
      SELECT ${SUMMARY} FROM processes p ${whereOf([...filters, ...beyond])}
      ORDER BY p.${column} ${direction}, p.id ${direction} LIMIT ${params.add(limit + 1)}
    ) page ON true`
  return { text, values: params.values }
}

export async function processPage(pool: pg.Pool, query: ProcessListQueryDto, scope: TenantScope, sort: Sort, after: Position | undefined, limit: number): Promise<{ rows: ProcessRow[]; total: number }> {
  return runPage<ProcessRow>(pool, processListStatement(query, scope, sort, after, limit))
}
