import { FieldErrorsException } from './problem.js'

export const DEFAULT_LIMIT = 50

/** Keyset cursors: the id of the last item of a page (ids are UUIDv7, so id order is creation order). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new FieldErrorsException(400, [{ path: 'cursor', message: 'is not a cursor this API returned (use next_cursor of the previous page)' }], 'query string')
  }
  return id
}

/** Newest first; one row more than asked tells whether another page follows. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number, total: number) {
  const items = rows.slice(0, limit)
  return { items, total, next_cursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null }
}
