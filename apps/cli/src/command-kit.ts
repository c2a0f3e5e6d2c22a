// What a command group needs to be small: the API client, the CLI's own name, and the options every list and
// get shares (--json, --limit/--cursor, `<id>` or the seed's `--id`). A group is one file exporting
// `(cli: Cli) => Command`, added in main.ts.
import { type Command, InvalidArgumentError } from 'commander'
import type { Api } from './http.js'
import { EXIT_CODES_HELP, printJson, table, usage } from './output.js'

export interface Cli {
  api: Api
  /** how the CLI was called (`orchctl` or `loom`), for the commands it prints */
  name: string
}

export interface PageOptions {
  limit?: number
  cursor?: string
  sort?: string
  json?: boolean
}

export interface Page<T> {
  items: T[]
  total: number
  next_cursor: string | null
}

export const positiveInt = (value: string) => {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new InvalidArgumentError('expected a whole number above 0.')
  return n
}

/** Commands whose --help states exit codes already (their own, or the generic ones through jsonAndExitCodes). */
export const exitCodesInHelp = new WeakSet<Command>()
/** Commands whose usage errors exit with another code than 2 (`task upgrade-os`: 2 means failed devices there). */
export const usageExitCode = new WeakMap<Command, number>()

/** The generic exit codes in --help. */
export function withExitCodes(command: Command): Command {
  exitCodesInHelp.add(command)
  return command.addHelpText('after', EXIT_CODES_HELP)
}

/** --json and the exit codes in --help: every command has both. */
export function jsonAndExitCodes(command: Command, json = 'print the API body as is'): Command {
  return withExitCodes(command.option('--json', json))
}

/** --limit, --cursor and --sort of a list route (DESIGN.md, Lists). */
export function pageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'items in one page (API default 50, at most 500)', positiveInt)
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed (next_cursor)')
    .option('--sort <column>', 'a column, ascending; -column for descending')
}

/** `get <id>` or the seed's `get --id <id>`. */
export function idArgument(command: Command): Command {
  return command.argument('[id]', 'the id (or --id)').option('--id <id>', 'the id (the seed\'s syntax)')
}

export function idOf(positional: string | undefined, options: { id?: string }): string {
  const id = positional ?? options.id
  if (!id) usage('an id is needed: give it as an argument or with --id')
  if (positional && options.id && positional !== options.id) usage(`two ids given: ${positional} and --id ${options.id}`)
  return id
}

/**
 * One page of a list: --json prints the API body ({items, total, next_cursor}); people get a table, and on stderr
 * how many there are and the option for the next page.
 */
export async function printPage<T>(cli: Cli, path: string, options: PageOptions, rows: (item: T) => Record<string, string>, columns: string[], what: string): Promise<void> {
  const sep = path.includes('?') ? '&' : '?'
  const params = new URLSearchParams()
  if (options.limit !== undefined) params.set('limit', String(options.limit))
  if (options.cursor) params.set('cursor', options.cursor)
  if (options.sort) params.set('sort', options.sort)
  const page = await cli.api.getOk<Page<T>>(`${path}${params.size ? `${sep}${params.toString()}` : ''}`, what)
  if (options.json) return printJson(page)
  if (page.items.length) console.log(table(page.items.map(rows), columns))
  console.error(`${page.items.length} of ${page.total}${page.next_cursor ? `; next page: --cursor ${page.next_cursor}` : ''}`)
}
