// The subscription list and detail in SQL: the two reads a user repeats most, each one statement that
// PostgreSQL answers from indexes (see docs/benchmarks.md for their plans at 100,000 subscriptions).
import type pg from 'pg'
import type { SubscriptionListQueryDto } from '#contracts/index.js'
import type { Lifecycle } from '#domain/index.js'
import type { Position, Sort } from '../http/pagination.js'
import { Params, run, runPage, type Statement, whereOf } from '../http/sql.js'
import { type TenantScope, tenantPredicate } from '../auth/tenant-scope.js'

/**
 * A summary row, its columns named like Prisma's fields so that one mapper serves both; its instants as the API
 * writes them (ISO 8601 in UTC, milliseconds), made so by PostgreSQL: parsing them into Dates only to print them
 * again was a tenth of the gateway's CPU for a page.
 */
export interface SummaryRow {
  id: string
  product: string
  customerId: string
  tenantId: string
  description: string
  note: string | null
  lifecycle: Lifecycle
  insync: boolean
  lockedBy: string | null
  startDate: string | null
  endDate: string | null
  version: number
  createdAt: string
  updatedAt: string
}

/** a related subscription; product, description and lifecycle are null when it belongs to another tenant */
export interface RelatedRow {
  path: string
  subscription_id: string
  product: string | null
  description: string | null
  lifecycle: Lifecycle | null
}

export interface DetailRow extends SummaryRow {
  domainModel: Record<string, unknown>
  dependsOn: RelatedRow[]
  inUseBy: RelatedRow[]
  processes: { id: string; workflow: string | null; status: string | null; created_at: string | null }[]
}

/** a subscription's summary, its columns named like SummaryRow's fields, its instants as stored (to order and page by) */
const SUMMARY = `s.id, s.product, s.customer_id AS "customerId", s.tenant_id AS "tenantId", s.description, s.note, s.lifecycle, s.insync, s.locked_by AS "lockedBy",
  s.start_date AS "startDate", s.end_date AS "endDate", s.version, s.created_at AS "createdAt", s.updated_at AS "updatedAt"`

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
/** a row of SUMMARY (aliased `p`) as SummaryRow has it: its instants as the API writes them */
const SUMMARY_OUT = `p.id, p.product, p."customerId", p."tenantId", p.description, p.note, p.lifecycle, p.insync, p."lockedBy",
  ${ISO('p."startDate"')} AS "startDate", ${ISO('p."endDate"')} AS "endDate", p.version, ${ISO('p."createdAt"')} AS "createdAt", ${ISO('p."updatedAt"')} AS "updatedAt"`

/** a related subscription; one outside the tenants `$2` (null: all) shows its id only */
const RELATED = (alias: string) =>
  `'subscription_id', ${alias}.id, 'product', ${SEEN(alias, `${alias}.product`)}, 'description', ${SEEN(alias, `${alias}.description`)}, 'lifecycle', ${SEEN(alias, `${alias}.lifecycle`)}`
const SEEN = (alias: string, value: string) => `CASE WHEN $2::text[] IS NULL OR ${alias}.tenant_id = ANY($2::text[]) THEN ${value} END`

/**
 * The filters of a list request and its tenants. The ones on tenant, product, lifecycle, customer and insync also
 * apply, unchanged, to subscription_counts, whose columns have the same names.
 */
function filtersOf(query: SubscriptionListQueryDto, scope: TenantScope, params: Params, alias: string): string[] {
  const where: string[] = []
  const tenant = tenantPredicate(scope, `${alias}.tenant_id`, params)
  if (tenant) where.push(tenant)
  if (query.product) where.push(`${alias}.product = ${params.add(query.product)}`)
  if (query.tag) where.push(`${alias}.product IN (SELECT name FROM products WHERE tag = ${params.add(query.tag)})`)
  if (query.lifecycle) where.push(`${alias}.lifecycle = ${params.add(query.lifecycle)}`)
  if (query.customer_id) where.push(`${alias}.customer_id = ${params.add(query.customer_id)}`)
  if (query.insync !== undefined) where.push(`${alias}.insync = ${params.add(query.insync)}`)
  return where
}

/** `?q=` as a LIKE pattern: the text anywhere, its wildcards taken literally (PostgreSQL's escape is the backslash). */
const containing = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`

/**
 * One list request as one statement: a row per summary on the page (`limit + 1` of them: the extra one tells
 * whether another page follows), each with how many subscriptions the filters match in all; one row with only
 * that total when the page is empty.
 *
 * Without a text search the total comes from subscription_counts (a handful of rows, kept exact by a trigger)
 * instead of counting tens of thousands, and the page walks an index in the requested order. A text search
 * finds its hits once, through the trigram index, then counts and pages them.
 */
export function listStatement(query: SubscriptionListQueryDto, scope: TenantScope, sort: Sort, after: Position | undefined, limit: number): Statement {
  const params = new Params()
  const filters = filtersOf(query, scope, params, 's')
  const matching = `SELECT ${SUMMARY} FROM subscriptions s ${whereOf(query.q ? [...filters, `s.search_text LIKE ${params.add(containing(query.q))}`] : filters)}`
  // A row comparison, so that the (column, id) index serves both the order and the cursor. PostgreSQL pulls the
  // subquery up, so the conditions on h reach the table's indexes.
  const direction = sort.direction === 'desc' ? 'DESC' : 'ASC'
  const beyond = after ? `WHERE (h."${sort.field}", h.id) ${sort.direction === 'desc' ? '<' : '>'} (${params.add(after.value)}, ${params.add(after.id)})` : ''
  const page = (from: string) => `SELECT h.* FROM ${from} h ${beyond} ORDER BY h."${sort.field}" ${direction}, h.id ${direction} LIMIT ${params.add(limit + 1)}`
  const text = query.q
    ? `WITH hits AS MATERIALIZED (${matching})
       SELECT t.total, ${SUMMARY_OUT} FROM (SELECT count(*)::int AS total FROM hits) t LEFT JOIN LATERAL (${page('hits')}) p ON true`
    : `SELECT t.total, ${SUMMARY_OUT} FROM (SELECT coalesce(sum(s.n), 0)::int AS total FROM subscription_counts s ${whereOf(filters)}) t
       LEFT JOIN LATERAL (${page(`(${matching})`)}) p ON true`
  return { text, values: params.values }
}

export async function listPage(pool: pg.Pool, query: SubscriptionListQueryDto, scope: TenantScope, sort: Sort, after: Position | undefined, limit: number): Promise<{ rows: SummaryRow[]; total: number }> {
  return runPage<SummaryRow>(pool, listStatement(query, scope, sort, after, limit))
}

/** A subscription with its domain model, what it depends on, what uses it and its processes. */
export const detailSql = `
  SELECT ${SUMMARY_OUT}, p."domainModel", p."dependsOn", p."inUseBy", p.processes FROM (
    SELECT ${SUMMARY}, s.domain_model AS "domainModel",
      (SELECT coalesce(json_agg(json_build_object('path', r.path, ${RELATED('d')}) ORDER BY r.path), '[]')
         FROM subscription_relations r JOIN subscriptions d ON d.id = r.depends_on_id WHERE r.in_use_by_id = s.id) AS "dependsOn",
      (SELECT coalesce(json_agg(json_build_object('path', r.path, ${RELATED('u')}) ORDER BY r.in_use_by_id, r.path), '[]')
         FROM subscription_relations r JOIN subscriptions u ON u.id = r.in_use_by_id WHERE r.depends_on_id = s.id) AS "inUseBy",
      (SELECT coalesce(json_agg(json_build_object('id', p.id, 'workflow', ${SEEN('p', 'p.workflow')}, 'status', ${SEEN('p', 'p.status')}, 'created_at', ${SEEN('p', ISO('p.created_at'))}) ORDER BY ps.created_at DESC), '[]')
         FROM process_subscriptions ps JOIN processes p ON p.id = ps.process_id WHERE ps.subscription_id = s.id) AS processes
    FROM subscriptions s WHERE s.id = $1 AND ($2::text[] IS NULL OR s.tenant_id = ANY($2::text[]))) p`

/**
 * A subscription with its domain model, what it depends on, what uses it and its processes; undefined if unknown
 * or outside the scope. Relations and processes of other tenants show their ids only (integrity spans tenants).
 */
export async function detail(pool: pg.Pool, id: string, scope: TenantScope): Promise<DetailRow | undefined> {
  return (await run<DetailRow>(pool, { text: detailSql, values: [id, 'all' in scope ? null : [...scope.tenants]] }))[0]
}
