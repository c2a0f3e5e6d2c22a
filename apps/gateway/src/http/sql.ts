// Helpers for the reads written in SQL (on Prisma's own pool): numbered parameters and one way to run them.
import type pg from 'pg'

export interface Statement {
  text: string
  values: unknown[]
}

/** Numbered parameters, collected as the statement is written. */
export class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

export const whereOf = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '')

/** A list statement's rows (a page, each with the total; one row with only the total when the page is empty). */
export async function runPage<R extends pg.QueryResultRow & { id: string | null }>(pool: pg.Pool, statement: Statement): Promise<{ rows: R[]; total: number }> {
  const rows = await run<R & { total: number }>(pool, statement)
  return { rows: rows.filter((r) => r.id !== null), total: rows[0].total }
}

export async function run<R extends pg.QueryResultRow>(pool: pg.Pool, statement: Statement): Promise<R[]> {
  return (await pool.query<R>(statement.text, statement.values)).rows
}
