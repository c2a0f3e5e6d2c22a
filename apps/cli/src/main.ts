#!/usr/bin/env node
import { Command } from 'commander'

// `loom` (alias `orchctl`): a client of the REST API, never of the database. Commands arrive with later issues.
const program = new Command()
  .name('loom')
  .description('Command-line client of the Loom API')
  .option('--api <url>', 'Loom API base URL', process.env.LOOM_API_URL ?? 'http://localhost:3000')

program
  .command('health')
  .description('show whether Temporal and the database answer')
  .action(async () => {
    const { api } = program.opts<{ api: string }>()
    const res = await fetch(new URL('/api/health', api)).catch((e: Error) => {
      console.error(`cannot reach ${api}: ${e.message}`)
      process.exit(1)
    })
    const body = (await res.json()) as Record<string, string>
    for (const [k, v] of Object.entries(body)) console.log(`${k.padEnd(9)} ${v}`)
    process.exitCode = res.ok ? 0 : 1
  })

program.parseAsync().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
