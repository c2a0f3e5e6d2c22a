import { validate as isUuid } from 'uuid'
import type { Page } from '#contracts/index.js'
import { FieldErrorsException } from './problem.js'

export const DEFAULT_LIMIT = 50

/** A list's order: one column, then the id, so that every row has one place (keyset pagination). */
export interface Sort {
  /** the API name, e.g. created_at */
  name: string
  /** the row's property (a Prisma field, or the SQL alias named like it), e.g. createdAt */
  field: string
  direction: 'asc' | 'desc'
  dates: boolean
  /** the column holds whole numbers (a version) */
  numbers: boolean
  /** what the rows' ids are: a cursor's id must be one (an id cast to uuid in SQL would fail otherwise) */
  ids: 'uuid' | 'text'
}

/** `?sort=description` ascending, `?sort=-updated_at` descending; newest first when absent. */
export function parseSort(
  sort: string | undefined,
  allowed: Record<string, { field: string; dates?: boolean; numbers?: boolean }>,
  ids: Sort['ids'] = 'uuid',
): Sort {
  const raw = sort ?? '-created_at'
  const name = raw.replace(/^-/, '')
  const column = allowed[name]
  if (!column) throw badParameter('sort', `must be one of ${Object.keys(allowed).map((n) => `${n}, -${n}`).join(', ')}`)
  return { name, field: column.field, direction: raw.startsWith('-') ? 'desc' : 'asc', dates: column.dates ?? false, numbers: column.numbers ?? false, ids }
}

/** Where a cursor points: the sort value and id of the last row of the previous page. */
export interface Position {
  value: Date | string
  id: string
}

/** The position a `?cursor=` holds, checked against this request's sort; none on the first page. */
export function decodeCursor(cursor: string | undefined, sort: Sort): Position | undefined {
  if (cursor === undefined) return undefined
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw badParameter('cursor', 'is not a cursor this API returned (use next_cursor of the previous page)')
  }
  const notOurs = () => badParameter('cursor', 'is not a cursor this API returned (use next_cursor of the previous page)')
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded.some((part) => typeof part !== 'string')) throw notOurs()
  const [sortedBy, raw, id] = decoded as [string, string, string]
  if (sortedBy !== `${sort.direction === 'desc' ? '-' : ''}${sort.name}`) throw badParameter('cursor', `belongs to sort=${sortedBy}; ask again from the first page`)
  // Every part reaches a query: one that does not fit its column is a client's mistake (400), not the database's (500).
  const value = sort.dates ? new Date(raw) : raw
  if (value instanceof Date && Number.isNaN(value.getTime())) throw notOurs()
  if (sort.numbers && !(/^\d{1,9}$/.test(raw))) throw notOurs()
  if (sort.ids === 'uuid' && !isUuid(id)) throw notOurs()
  return { value, id }
}

/** One row more than asked tells whether another page follows. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number, total: number, sort: Sort) {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1] as (T & Record<string, unknown>) | undefined
  const value = last?.[sort.field]
  const cursor = () => {
    const raw = value instanceof Date ? value.toISOString() : String(value)
    return Buffer.from(JSON.stringify([`${sort.direction === 'desc' ? '-' : ''}${sort.name}`, raw, last!.id])).toString('base64url')
  }
  return { items, total, next_cursor: rows.length > limit && last ? cursor() : null }
}

function badParameter(path: string, message: string) {
  return new FieldErrorsException(400, [{ path, message }], 'query string')
}

/** A list short enough to answer whole (pools, sites, a device's interfaces): one page, no cursor. */
export function wholeList<T>(items: T[]): { items: T[]; total: number; next_cursor: null } {
  return { items, total: items.length, next_cursor: null }
}

/**
 * A list the gateway holds in memory (the declared workflows), paged like the SQL lists: ordered by a unique key
 * (`name`), `?limit=` per page, `?cursor=` the next_cursor of the page before.
 */
export function pageInMemory<T>(items: readonly T[], key: (item: T) => string, name: string, query: { limit?: number; cursor?: string }): Page<T> {
  const sort: Sort = { name, field: 'id', direction: 'asc', dates: false, numbers: false, ids: 'text' }
  const after = decodeCursor(query.cursor, sort)
  const limit = query.limit ?? DEFAULT_LIMIT
  const rows = items
    .map((item) => ({ id: key(item), item }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((row) => !after || row.id > after.id)
  const page = pageOf(rows.slice(0, limit + 1), limit, items.length, sort)
  return { ...page, items: page.items.map((row) => row.item) }
}
