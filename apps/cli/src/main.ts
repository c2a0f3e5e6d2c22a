#!/usr/bin/env node
import { Command } from 'commander'
import { DemoError, runDemo } from './demo.js'
import { runLabDemo } from './lab-demo.js'

// `loom` (alias `orchctl`): a client of the REST API, never of the database. More commands arrive with later issues.
const program = new Command()
  .name('loom')
  .description('Command-line client of the Loom API')
  .option('--api <url>', 'Loom API base URL', process.env.LOOM_API_URL ?? 'http://localhost:3000')

const apiBase = () => program.opts<{ api: string }>().api

/** GET a path of the API; an API that cannot be reached ends the command, naming its URL. */
async function get(path: string): Promise<Response> {
  return fetch(new URL(path, apiBase())).catch((e: Error) => {
    console.error(`cannot reach ${apiBase()}: ${e.message}`)
    process.exit(1)
  })
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
  .description('show whether Temporal and the database answer')
  .action(async () => {
    const res = await get('/api/health')
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
      else await runDemo(apiBase(), { ...common, routers })
    } catch (error) {
      if (!(error instanceof DemoError)) throw error
      console.error(`loom demo: ${error.message}`)
      process.exit(1)
    }
  })

/** A usage error: exit 2 naming the option. */
function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

program.parseAsync().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
