import { ApiQuery } from '@nestjs/swagger'
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
export type Sorts = Record<string, { field: string; dates?: boolean; numbers?: boolean }>

export function parseSort(
  sort: string | undefined,
  allowed: Sorts,
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

const NOT_OURS = 'is not a cursor this API returned (use next_cursor of the previous page)'
/** Longer than Node's 16 KiB limit for a request's head: no request can carry it. */
const MAX_CURSOR_LENGTH = 16_384
const BASE64URL = /^[A-Za-z0-9_-]+$/
/** How pageOf writes a date: toISOString(), which the columns' millisecond precision (timestamptz(3)) keeps exact. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** How pageOf writes a version: a whole number that fits an int4. */
const WHOLE_NUMBER = /^(0|[1-9]\d{0,8})$/
const SORT_NAME = /^-?[a-z][a-z0-9_]*$/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
/** Text a row can hold: no U+0000 (PostgreSQL text cannot), no half of a surrogate pair (UTF-8 cannot); so no cursor holds it either. */
const storable = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text)

const sortName = (sort: Sort) => `${sort.direction === 'desc' ? '-' : ''}${sort.name}`

/**
 * The position a `?cursor=` holds, checked against this request's sort; none on the first page. Only a cursor
 * pageOf could have written for this sort passes — three strings (the sort, the last row's value as the sort's
 * column holds it, the last row's id), base64url as pageOf encodes them — so that nothing a client made up
 * reaches a query: anything else is a 400 naming `cursor`, never a 500 from the database.
 */
export function decodeCursor(cursor: string | undefined, sort: Sort): Position | undefined {
  if (cursor === undefined) return undefined
  const notOurs = () => badParameter('cursor', NOT_OURS)
  const parts = cursorParts(cursor)
  if (!parts) throw notOurs()
  const [sortedBy, raw, id] = parts
  if (sortedBy !== sortName(sort)) throw SORT_NAME.test(sortedBy) ? badParameter('cursor', `belongs to sort=${sortedBy}; ask again from the first page`) : notOurs()
  const value = valueOf(raw, sort)
  if (value === undefined || !idFits(id, sort)) throw notOurs()
  return { value, id }
}

/** The three strings a cursor encodes, if it is one as pageOf writes them. */
function cursorParts(cursor: string): [string, string, string] | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return undefined
  const bytes = Buffer.from(cursor, 'base64url')
  // Buffer skips what is not base64 and ignores stray bits: only the one spelling pageOf writes is a cursor.
  if (bytes.toString('base64url') !== cursor) return undefined
  let decoded: unknown
  try {
    decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) return undefined
  const parts: unknown[] = decoded
  return parts.every((part) => typeof part === 'string' && storable(part)) ? (parts as [string, string, string]) : undefined
}

/** The sort value as the query compares it (a Date for a date column), if it is one that column can hold. */
function valueOf(raw: string, sort: Sort): Date | string | undefined {
  if (sort.dates) {
    if (!ISO_INSTANT.test(raw)) return undefined
    const date = new Date(raw)
    return !Number.isNaN(date.getTime()) && date.toISOString() === raw ? date : undefined
  }
  if (sort.numbers) return WHOLE_NUMBER.test(raw) ? raw : undefined
  return raw
}

/** A row's id: a uuid where the ids are (an id cast to uuid in SQL would fail otherwise), some text where not. */
function idFits(id: string, sort: Sort): boolean {
  return sort.ids === 'uuid' ? isUuid(id) : id.length > 0
}

/** A Prisma filter for the rows after a cursor's position in the sort's order (the id breaks ties). */
export function afterPosition(sort: Sort, after: Position | undefined): Record<string, unknown>[] {
  if (!after) return []
  const op = sort.direction === 'asc' ? 'gt' : 'lt'
  return [{ OR: [{ [sort.field]: { [op]: after.value } }, { [sort.field]: after.value, id: { [op]: after.id } }] }]
}

/** One row more than asked tells whether another page follows. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number, total: number, sort: Sort) {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1] as (T & Record<string, unknown>) | undefined
  const value = last?.[sort.field]
  const cursor = () => {
    const raw = value instanceof Date ? value.toISOString() : String(value)
    return Buffer.from(JSON.stringify([sortName(sort), raw, last!.id])).toString('base64url')
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

/** Documents the `sort` a list takes: each column ascending, or descending with a leading "-" (parseSort's rule). */
export const ApiSort = (allowed: Sorts | string[], fallback: string) =>
  ApiQuery({
    name: 'sort',
    required: false,
    description: `a column, ascending; with a leading "-", descending (default ${fallback})`,
    schema: { type: 'string', enum: Array.isArray(allowed) ? allowed : Object.keys(allowed).flatMap((n) => [n, `-${n}`]), default: fallback },
  })
