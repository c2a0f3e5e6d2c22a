// Per-test databases: one migrated template per `npm test` run (made by run-tests), cloned per test
// with CREATE DATABASE … TEMPLATE (tens of milliseconds), dropped afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export function urlFor(database: string, server = serverUrl()): string {
  const u = new URL(server)
  u.pathname = `/${database}`
  return u.toString()
}

/** The PostgreSQL server of this test run (admin database `postgres`). */
export function serverUrl(): string {
  const url = process.env.LOOM_TEST_DATABASE_SERVER
  if (!url) throw new Error('LOOM_TEST_DATABASE_SERVER is not set: run the tests with `npm test`')
  return url
}

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, server = serverUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres', server) })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

export const randomName = (prefix: string) => `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`

/** A fresh, migrated database of its own. */
export async function cloneDatabase(prefix = 'loom_test'): Promise<TestDatabase> {
  const template = process.env.LOOM_TEST_TEMPLATE_DB
  if (!template) throw new Error('LOOM_TEST_TEMPLATE_DB is not set: run the tests with `npm test`')
  return cloneDatabaseOn(serverUrl(), template, prefix)
}

export async function cloneDatabaseOn(server: string, template: string, prefix: string): Promise<TestDatabase> {
  const name = randomName(prefix)
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`), server)
  return { name, url: urlFor(name, server), drop: () => dropDatabase(name, server) }
}

export async function dropDatabase(name: string, server = serverUrl()): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`), server)
}
