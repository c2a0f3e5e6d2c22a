#!/usr/bin/env node
import { Command } from 'commander'
import { apiKey, adminKeyFile } from './credentials.js'
import { DemoError, runDemo } from './demo.js'
import { runLabDemo } from './lab-demo.js'
import { taskCommands } from './task-command.js'

// `loom` (alias `orchctl`): a client of the REST API, never of the database. More commands arrive with later issues.
const program = new Command()
  .name('loom')
  .description('Command-line client of the Loom API')
  .option('--api <url>', 'Loom API base URL', process.env.LOOM_API_URL ?? 'http://localhost:3000')

const apiBase = () => program.opts<{ api: string }>().api

/** The key to send; without one, the command ends saying where it looked. */
function key(): string {
  const found = apiKey()
  if (!found) fail(`no API key: set LOOM_API_KEY, or run where \`npm start\` wrote ${adminKeyFile()}`)
  return found.key
}

/** Calls the API with the key; an API that cannot be reached, or refuses the key, ends the command saying so. */
async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(new URL(path, apiBase()), {
    method,
    headers: { authorization: `Bearer ${key()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((e: Error) => {
    console.error(`cannot reach ${apiBase()}: ${e.message}`)
    process.exit(1)
  })
  if (res.status === 401) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string }
    console.error(`the API refused the key from ${apiKey()?.from}: ${problem.detail ?? res.statusText}`)
    process.exit(1)
  }
  return res
}

const get = (path: string) => request('GET', path)

/** The body of an answer the command expects to be 2xx; else the problem's detail, and exit 1. */
async function expectOk<T>(res: Response, what: string): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { detail?: string }
  if (!res.ok) {
    console.error(`${what}: ${res.status} ${body.detail ?? ''}`.trim())
    process.exit(1)
  }
  return body
}

/** Every item of a list (DESIGN.md, Lists: `{items, total, next_cursor}`), page after page. */
async function getAll<T>(path: string): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    const body = (await res.json()) as { items: T[]; next_cursor: string | null; detail?: string }
    if (!res.ok) {
      console.error(`${path}: ${res.status} ${body.detail ?? ''}`.trim())
      process.exit(1)
    }
    items.push(...body.items)
    cursor = body.next_cursor
  } while (cursor)
  return items
}

/** Rows as aligned columns, headed by the column names. */
function table(rows: Record<string, string>[], columns: string[]): string {
  const cells = [columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n')
}

program
  .command('health')
  .description('show whether Temporal and the database answer (and why not, with a key)')
  .action(async () => {
    // Open to anyone; with a key the reasons (addresses, errors) are shown too.
    const found = apiKey()
    const res = await fetch(new URL('/api/health', apiBase()), found ? { headers: { authorization: `Bearer ${found.key}` } } : {}).catch((e: Error) => {
      console.error(`cannot reach ${apiBase()}: ${e.message}`)
      process.exit(1)
    })
    const body = (await res.json()) as Record<string, string>
    for (const [k, v] of Object.entries(body)) console.log(`${k.padEnd(9)} ${v}`)
    process.exitCode = res.ok ? 0 : 1
  })

const workflow = program.command('workflow').description('the workflows Loom runs')

workflow
  .command('list')
  .description('list the workflows: name, target, product, whether the API starts it')
  .option('--json', 'print the workflows as JSON')
  .action(async (options: { json?: boolean }) => {
    const workflows = await getAll<{ name: string; target: string; product: string | null; startable: boolean; description: string }>('/api/workflows')
    if (options.json) console.log(JSON.stringify(workflows, null, 2))
    else {
      const rows = workflows.map((w) => ({ name: w.name, target: w.target, product: w.product ?? '-', startable: w.startable ? 'yes' : 'no', description: w.description }))
      console.log(table(rows, ['name', 'target', 'product', 'startable', 'description']))
    }
  })

program
  .command('whoami')
  .description('who the API key says you are: your canonical id, roles and permissions')
  .option('--json', 'print it as JSON')
  .action(async (options: { json?: boolean }) => {
    const me = await expectOk<{ user: string; roles: string[]; permissions: string[]; via: string }>(await get('/api/auth/me'), 'whoami')
    if (options.json) console.log(JSON.stringify(me, null, 2))
    else console.log(`${me.user} (${me.via})\nroles        ${me.roles.join(', ') || '-'}\npermissions  ${me.permissions.join(', ')}`)
  })

interface ApiKeyView {
  id: string
  name: string
  owner: string
  roles: string[]
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  key?: string
}

const keys = program.command('keys').description('API keys: for yourself with roles you hold; an administrator for anyone')

keys
  .command('create')
  .description('make a key; it is printed once and stored nowhere but as a hash')
  .requiredOption('--name <text>', 'what the key is for')
  .option('--owner <name>', 'whom it acts as (administrators only; default: you)')
  .option('--roles <list>', 'comma-separated roles (default: yours)')
  .option('--expires <date>', 'ISO 8601 date-time after which it stops working')
  .option('--json', 'print the key and its record as JSON')
  .action(async (options: { name: string; owner?: string; roles?: string; expires?: string; json?: boolean }) => {
    const body = { name: options.name, owner: options.owner, roles: options.roles?.split(',').map((r) => r.trim()).filter(Boolean), expires_at: options.expires }
    const made = await expectOk<ApiKeyView>(await request('POST', '/api/auth/keys', body), 'keys create')
    if (options.json) return console.log(JSON.stringify(made, null, 2))
    console.log(made.key)
    console.error(`key ${made.id} for ${made.owner} (${made.roles.join(', ')}): shown this once; keep it (e.g. in LOOM_API_KEY)`)
  })

keys
  .command('list')
  .description('your keys (every key, for an administrator); never the keys themselves')
  .option('--json', 'print them as JSON')
  .action(async (options: { json?: boolean }) => {
    const list = await expectOk<ApiKeyView[]>(await get('/api/auth/keys'), 'keys list')
    if (options.json) return console.log(JSON.stringify(list, null, 2))
    const state = (k: ApiKeyView) => (k.revoked_at ? 'revoked' : k.expires_at && k.expires_at < new Date().toISOString() ? 'expired' : 'active')
    const rows = list.map((k) => ({ id: k.id, prefix: `${k.prefix}…`, owner: k.owner, roles: k.roles.join(','), state: state(k), last_used: k.last_used_at ?? '-', name: k.name }))
    console.log(table(rows, ['id', 'prefix', 'owner', 'roles', 'state', 'last_used', 'name']))
  })

keys
  .command('revoke <id>')
  .description('revoke a key: it stops working at once')
  .action(async (id: string) => {
    const revoked = await expectOk<ApiKeyView>(await request('DELETE', `/api/auth/keys/${encodeURIComponent(id)}`), 'keys revoke')
    console.log(`revoked ${revoked.id} (${revoked.prefix}…, ${revoked.owner})`)
  })

const fleet = program.command('fleet').description('fleets of devices in the built-in DCIM')

fleet
  .command('seed')
  .description("load a demo fleet into the built-in DCIM (acme: seed 003's 848 devices); run again, it keeps what is there")
  .option('--fleet <name>', 'the fleet (acme)', 'acme')
  .option('--json', "print the API's answer as JSON")
  .action(async (options: { fleet: string; json?: boolean }) => {
    const seeded = await expectOk<{ fleet: string; added: number; total: number }>(await request('PUT', `/api/dcim/fleets/${encodeURIComponent(options.fleet)}`), 'fleet seed')
    if (options.json) return console.log(JSON.stringify(seeded, null, 2))
    console.log(`${seeded.fleet.toUpperCase()} fleet: ${seeded.total} devices (${seeded.added} added)`)
  })

program
  .command('demo')
  .description("run seed 002's story through the API: enrol routers, reserve ports, a ring of circuits, into service, validate, drain and restore a router, terminate one circuit")
  .option('--routers <names>', 'comma-separated planned routers (npm start seeds ams-pe1, ams-pe2, fra-pe1, lon-pe1)', 'ams-pe1,fra-pe1,lon-pe1')
  .option('--lab [size]', 'on real FRR routers instead (root only): start a ring of this many (default 3) and a Loom of its own on them; --api and --routers are not used')
  .option('--keep', 'with --lab: leave Loom and the routers running until Ctrl-C')
  .option('--verbose', 'print the configuration shown to the person who applies it')
  .action(async (options: { routers: string; lab?: string | true; keep?: boolean; verbose?: boolean }) => {
    const routers = options.routers.split(',').map((r) => r.trim()).filter(Boolean)
    const size = options.lab === true ? 3 : Number(options.lab ?? 0)
    if (options.lab !== undefined && !(Number.isInteger(size) && size >= 2 && size <= 8)) fail('--lab: the ring has 2 to 8 routers')
    if (options.lab === undefined && routers.length < 2) fail('--routers: name at least two routers')
    if (options.keep && options.lab === undefined) fail('--keep: only with --lab')
    const common = { verbose: options.verbose ?? false, say: (line: string) => console.log(line) }
    try {
      if (options.lab !== undefined) await runLabDemo({ ...common, size, keep: options.keep ?? false })
      else await runDemo(apiBase(), { ...common, routers, apiKey: key() })
    } catch (error) {
      if (!(error instanceof DemoError)) throw error
      console.error(`loom demo: ${error.message}`)
      process.exit(1)
    }
  })

// `task upgrade-os`, `task follow`: exit codes of their own (0 completed, 1 error, 2 failed devices, 3 halted or waiting, 4 aborted).
program.addCommand(taskCommands({ apiBase, request }))

/** A usage error: exit 2 naming the option. */
function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

program.parseAsync().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
