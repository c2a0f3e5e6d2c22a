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

export async function run<R extends pg.QueryResultRow>(pool: pg.Pool, statement: Statement): Promise<R[]> {
  return (await pool.query<R>(statement.text, statement.values)).rows
}
