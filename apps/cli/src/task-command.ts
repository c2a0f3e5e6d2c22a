// `loom task upgrade-os` (issue 14 item 8): the nornir3 demo's upgrade-os through POST /api/tasks/upgrade-os, started
// asynchronously and followed through the process's events (GET /api/processes/{id}/events) with live progress,
// then the seed's report; `loom task follow <id>` follows a task started before (after a resume, say).
import { Command, InvalidArgumentError } from 'commander'
import type { FleetReportDto, ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import { adminKeyFile, apiKey } from './credentials.js'
import { exitCodesInHelp, usageExitCode } from './command-kit.js'
import { FollowError, followProcess } from './follow.js'
import { EXIT, goOnLines, problemLines, ProgressView, reportLines, stoppedLine, summaryLine } from './task-progress.js'

export interface TaskCommandDeps {
  /** the API base URL (`--api`) */
  apiBase: () => string
  /** main's request(): with the key; an unreachable API or a refused key ends the command (exit 1) */
  request: (method: string, path: string, body?: unknown) => Promise<Response>
  /** the headers of every call (key, tenant), for the event stream */
  headers: () => Record<string, string>
}

/** A usage error of these commands: exit 1, so that 2 keeps meaning "completed with failed devices". */
function usage(message: string): never {
  console.error(message)
  process.exit(EXIT.error)
}

/** The key, or exit 1 saying where the CLI looked (main's key() exits 2, which these commands give another meaning). */
function requireKey(): { key: string; from: string } {
  const found = apiKey()
  if (!found) usage(`no API key: set LOOM_API_KEY, or run where \`npm start\` wrote ${adminKeyFile()}`)
  return found
}

/** `--site earth --site mars,venus` → ['earth', 'mars', 'venus'] */
const list = (value: string, previous?: string[]) => [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)]

const number = (value: string) => {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.')
  return n
}

/** 0.05, or 5% */
const rate = (value: string) => (value.trim().endsWith('%') ? number(value.trim().slice(0, -1)) / 100 : number(value))

const EXIT_CODES_HELP = `
Exit codes:
  0  the task completed and no device failed
  1  usage, API or connection error (nothing started; or the CLI lost the task, which goes on: loom task follow <id>)
  2  the task completed with failed devices (the rest of their groups skipped)
  3  the task stopped for someone: halted (suspended; --halt-failure-rate) or waiting for the canary approval;
     what to run to resume or abort it is printed
  4  the task ended aborted or failed
`

export function taskCommands({ apiBase, request, headers }: TaskCommandDeps): Command {
  const task = new Command('task').description('tasks: upgrade the OS of many devices and follow them; get one (any process) by id')

  /** Follows the process's events until it ends or waits for someone; reconnects when the stream drops. */
  const follow = (id: string, seen: (p: ProcessDto) => void) => followProcess({ base: apiBase(), id, headers: headers(), what: 'the task', seen })

  /** Follows the task with its progress, then prints how it went and sets the exit code. */
  async function followAndReport(id: string, title: string, json: boolean): Promise<void> {
    // --json: stdout carries the report only; progress and the rest go to stderr.
    const out = json ? process.stderr : process.stdout
    const say = (...lines: string[]) => out.write(lines.map((l) => `${l}\n`).join(''))
    const view = new ProgressView({ out, live: Boolean(out.isTTY), title })
    say(`${title}: process ${id}`)
    const interrupted = () => {
      view.finish()
      console.error(`stopped following; the task goes on: process ${id} (loom task follow ${id})`)
      process.exit(130)
    }
    process.once('SIGINT', interrupted)
    let p: ProcessDto
    try {
      p = await follow(id, (x) => view.update(x))
    } catch (error) {
      view.finish()
      if (!(error instanceof FollowError)) throw error
      console.error(error.message)
      console.error(`the task goes on: process ${id} (loom task follow ${id})`)
      process.exitCode = EXIT.error
      return
    } finally {
      process.off('SIGINT', interrupted)
    }
    view.finish(p)
    const fleet = p.fleet
    const report: FleetReportDto | undefined = fleet?.report && { completed: fleet.report.completed, failed: fleet.report.failed, skipped: fleet.report.skipped }
    if (json && report) console.log(JSON.stringify(report, null, 2))
    const human = (lines: string[]) => (json ? [] : lines)
    if (p.status === 'completed') {
      say(...human(report ? reportLines(report, fleet?.failures) : []), `done: ${fleet ? summaryLine(fleet) : 'completed'}`, `process ${id}`)
      process.exitCode = fleet && fleet.failed > 0 ? EXIT.completedWithFailures : EXIT.completed
      return
    }
    say(stoppedLine(p))
    if (report) say(...human(['report so far:', ...reportLines(report, fleet?.failures).map((l) => `  ${l}`)]))
    if (fleet) say(`so far: ${summaryLine(fleet)}`)
    say(`process ${id}`)
    if (p.completed_at) {
      process.exitCode = EXIT.ended
      return
    }
    const found = requireKey()
    say(...goOnLines(p, apiBase(), found.from === 'LOOM_API_KEY' ? '$LOOM_API_KEY' : `$(cat ${found.from})`))
    process.exitCode = EXIT.needsAttention
  }

  task
    .command('upgrade-os')
    .description("upgrade the OS of the fleet (the nornir3 demo's upgrade-os, POST /api/tasks/upgrade-os), following it group by group until its report")
    .requiredOption('--version <version>', 'the OS version every selected device should run, e.g. 5.3.1')
    .option('--site <sites>', 'only devices at these sites; repeat it or separate by commas (default: every site)', list)
    .option('--dev-type <types>', 'only devices of these types: edge, spine, leaf, router; repeat it or separate by commas (default: all)', list)
    .option('--policy <policy>', 'dc-aware: one device at a time per site and type (edge, spine) or rack (leaf), the first failure skips the rest of its group; parallel: every device on its own (API default: dc-aware)')
    .option('--concurrency <n>', 'groups upgraded at once (API default: 100)', number)
    .option('--max-down-per-site <n>', 'at most this many devices of a site upgrading at once (default: no limit)', number)
    .option('--canary <n>', 'upgrade this many devices first, one per group, spread over the sites; any failure among them halts; then the change board approves the rest (exit 3 while it waits), unless --soak', number)
    .option('--soak <seconds>', 'with --canary: wait this long after the canary wave, then go on without an approval', number)
    .option('--halt-failure-rate <rate>', 'halt (suspend the task, exit 3) when more than this share of the devices upgraded so far failed: 0.05 or 5%', rate)
    .option('--halt-min-devices <n>', 'the failure rate counts once this many devices were upgraded (API default: 10)', number)
    .option('--json', 'print only the report ({completed, failed, skipped}) on stdout; progress and messages go to stderr')
    .option('--no-wait', 'start the task and print its process id (--json: the API\'s answer {id, status, workflow_id, run_id}), without following it')
    .addHelpText(
      'after',
      `
The task starts with ?async=true and is followed through GET /api/processes/{id}/events. On a terminal the
counts (devices done, completed, unchanged, failed, skipped, groups done) and the groups at work
(earth/rack31  leaf63.earth  1/2) are redrawn in place; elsewhere a line is printed at each 10 % of the
devices. Failures are printed as they appear (failed: leaf63.earth — <what the device said>). At the end: the
report (completed, failed, skipped devices), a summary and the process id. When the task halts or waits for
the canary approval, what happened, the report so far and the calls that resume or abort it are printed.
Ctrl-C stops following; the task goes on (loom task follow <id>).
${EXIT_CODES_HELP}
Examples:
  loom task upgrade-os --version 5.3.1 --site earth
  loom task upgrade-os --version 5.3.1 --dev-type spine --json > report.json
  loom task upgrade-os --version 5.3.1 --site earth,mars --canary 4 --halt-failure-rate 5% --max-down-per-site 10
`,
    )
    .action(async (o: { version: string; site?: string[]; devType?: string[]; policy?: string; concurrency?: number; maxDownPerSite?: number; canary?: number; soak?: number; haltFailureRate?: number; haltMinDevices?: number; json?: boolean; wait: boolean }) => {
      if (o.soak !== undefined && o.canary === undefined) usage('--soak: only with --canary (the canary wave soaks, then the rest goes on)')
      requireKey()
      const body = {
        version: o.version,
        ...(o.site && { filter_sites: o.site }),
        ...(o.devType && { filter_dev_types: o.devType }),
        ...(o.policy !== undefined && { policy: o.policy }),
        ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
        ...(o.maxDownPerSite !== undefined && { max_down_per_site: o.maxDownPerSite }),
        ...(o.canary !== undefined && { canary: { devices: o.canary, ...(o.soak !== undefined && { soak_seconds: o.soak }) } }),
        ...(o.haltFailureRate !== undefined && { halt_failure_rate: o.haltFailureRate }),
        ...(o.haltMinDevices !== undefined && { halt_min_devices: o.haltMinDevices }),
      }
      const res = await request('POST', '/api/tasks/upgrade-os?async=true', body)
      const answer = (await res.json().catch(() => null)) as (ProcessStartedDto & FleetReportDto) | null
      const title = `upgrade-os ${o.version}`
      if (res.status === 200) {
        // A gateway that answered with the report (it does not know ?async): the process is in Content-Location.
        const id = res.headers.get('content-location')?.split('/').pop()
        if (!id) usage(`upgrade-os: 200 without the process (Content-Location): ${JSON.stringify(answer)}`)
        return followAndReport(id, title, Boolean(o.json))
      }
      if (res.status !== 202 || !answer?.id) {
        console.error(problemLines('upgrade-os', res.status, answer).join('\n'))
        process.exitCode = EXIT.error
        return
      }
      if (!o.wait) {
        if (o.json) console.log(JSON.stringify(answer, null, 2))
        else {
          console.log(answer.id)
          console.error(`started ${title}: process ${answer.id}; follow it with loom task follow ${answer.id}`)
        }
        return
      }
      await followAndReport(answer.id, title, Boolean(o.json))
    })

  task
    .command('follow <id>')
    .description('follow a task started before (--no-wait, or after a resume) as upgrade-os does: its progress, then its report')
    .option('--json', 'print only the report ({completed, failed, skipped}) on stdout; progress and messages go to stderr')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (id: string, o: { json?: boolean }) => {
      requireKey()
      const res = await request('GET', `/api/processes/${encodeURIComponent(id)}`)
      const p = (await res.json().catch(() => null)) as ProcessDto | null
      if (!res.ok || !p) {
        console.error(problemLines(`process ${id}`, res.status, p).join('\n'))
        process.exitCode = EXIT.error
        return
      }
      const version = (p.fleet?.params as { version?: string } | undefined)?.version
      const title = p.fleet ? `${p.fleet.operation.replaceAll('_', '-')}${version ? ` ${version}` : ''}` : p.workflow
      await followAndReport(p.id, title, Boolean(o.json))
    })

  // Their usage errors exit 1, so that 2 keeps meaning "completed with failed devices".
  for (const own of task.commands) {
    usageExitCode.set(own, EXIT.error)
    exitCodesInHelp.add(own)
  }
  return task
}
