// What every command prints and how it ends, in one place, so that scripts can rely on it: tables for people,
// the API's body as is under --json, problems on stderr, and the exit codes below.
import { readFileSync } from 'node:fs'
import type { ProblemDto } from '#contracts/index.js'

/** The exit codes of the generic commands (`task upgrade-os` and `task follow` keep their own, see task-progress.ts). */
export const EXIT = {
  ok: 0,
  /** the API refused the request, answered an error, or could not be reached */
  error: 1,
  /** the command line is wrong: an unknown command or option, a missing argument, --data that is not JSON */
  usage: 2,
  /** --wait or watch: the process waits for someone (input, an approval, a suspended step to retry or abort) */
  waiting: 3,
  /** --wait or watch: the process failed or was aborted */
  failed: 4,
} as const

/** The exit codes as every --help states them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the API refused the request or answered an error, or could not be reached (the problem is on stderr)
  2  usage: an unknown command or option, a missing argument, --data that is not JSON
  3  (--wait, watch) the process waits for someone: input, an approval, or an operator to retry or abort its
     suspended step; what to run is printed
  4  (--wait, watch) the process failed or was aborted
`

/** Ends the command as a usage error (exit 2), saying why. */
export function usage(message: string): never {
  console.error(message)
  process.exit(EXIT.usage)
}

/** The API's body as is, for scripts (`--json`). */
export const printJson = (body: unknown) => console.log(JSON.stringify(body, null, 2))

/** A problem (RFC 9457) as people read it: `what: 422 Validation failed: detail`, then each field at fault. */
export function problemText(what: string, status: number, body: unknown): string {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<ProblemDto>
  const errors = Array.isArray(problem.errors) ? problem.errors : []
  const said = [problem.title, problem.detail].filter(Boolean).join(': ')
  return [`${what}: ${status} ${said}`.trim(), ...errors.map((e) => `  ${e.path || '(body)'}: ${e.message}`)].join('\n')
}

/** Rows as aligned columns, headed by the column names. */
export function table(rows: Record<string, string>[], columns: string[]): string {
  const cells = [columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))]
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n')
}

/** One record as `key  value` lines; objects and lists as compact JSON. */
export function fields(record: Record<string, unknown>, keys: string[] = Object.keys(record)): string {
  const width = Math.max(...keys.map((k) => k.length))
  const text = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v))
  return keys.map((k) => `${k.padEnd(width)}  ${text(record[k])}`).join('\n')
}

/** `--data '<json>'`: the object it holds, or a usage error naming the option. */
export function jsonOption(value: string, option = '--data'): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch (e) {
    usage(`${option}: not JSON: ${(e as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) usage(`${option}: expected a JSON object, e.g. '{"router": "ams-pe1"}'`)
  return parsed as Record<string, unknown>
}

/** `--data '<json>'` or `--file f` (one of them). */
export function dataOrFile(o: { data?: string; file?: string }): Record<string, unknown> {
  if (o.data !== undefined && o.file !== undefined) usage('give --data or --file, not both')
  if (o.file !== undefined) {
    let text: string
    try {
      text = readFileSync(o.file, 'utf8')
    } catch (e) {
      usage(`--file: ${(e as Error).message}`)
    }
    return jsonOption(text, '--file')
  }
  if (o.data === undefined) usage("--data '<json>' (or --file) is needed")
  return jsonOption(o.data)
}
