// How `loom task …` follows a fleet task: the process's Server-Sent Events parsed from a fetch body (no client
// library), a progress view — redrawn in place on a terminal, a line per 10 % (and per failure) in a log — and the
// report, what stopped the task and how to go on, as text. Pure where it can be, so that tests read what it prints.
import type { FleetProgressDto, FleetReportDto, ProblemDto, ProcessDto } from '#contracts/index.js'

/** The exit codes of `loom task upgrade-os` (and `loom task follow`), as its --help and the README state them. */
export const EXIT = {
  /** the task completed and no device failed */
  completed: 0,
  /** usage, API or connection errors: nothing was started, or the CLI lost the task (which goes on) */
  error: 1,
  /** the task completed, and some devices failed (and others of their groups were skipped) */
  completedWithFailures: 2,
  /** the task stopped for someone: halted (suspended) or waiting for the canary approval; resume or abort it */
  needsAttention: 3,
  /** the task ended aborted or failed */
  ended: 4,
} as const

export interface ServerSentEvent {
  event: string
  data: string
}

/**
 * The events of a text/event-stream body (the WHATWG rules that matter here: `event:` and `data:` fields, data lines
 * joined by newlines, comments and other fields ignored, an event dispatched at a blank line).
 */
export async function* serverSentEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  const lines = function* (final: boolean) {
    for (let end = buffer.search(/\r\n|\r|\n/); end >= 0; end = buffer.search(/\r\n|\r|\n/)) {
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for the next chunk.
      if (!final && buffer[end] === '\r' && end === buffer.length - 1) return
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1))
      yield line
    }
  }
  const take = function* (line: string): Generator<ServerSentEvent> {
    if (line === '') {
      if (data.length) yield { event: event || 'message', data: data.join('\n') }
      event = ''
      data = []
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    for (const line of lines(false)) yield* take(line)
  }
  buffer += decoder.decode()
  for (const line of lines(true)) yield* take(line)
  // A stream cut in the middle of an event: that event is incomplete and not dispatched.
}

/** Where following stops: the end, or a state that waits for a person. */
export const settled = (p: Pick<ProcessDto, 'status' | 'completed_at'>) => p.completed_at !== null || p.status === 'suspended' || p.status === 'waiting'

/** Devices with an outcome. */
const doneOf = (f: FleetProgressDto) => f.devices - f.pending

/** `54/106 devices: 50 completed (3 unchanged), 2 failed, 2 skipped; groups 20/55` */
export function countsLine(f: FleetProgressDto): string {
  return `${doneOf(f)}/${f.devices} devices: ${f.completed} completed (${f.unchanged} unchanged), ${f.failed} failed, ${f.skipped} skipped; groups ${f.groups.done}/${f.groups.total}${f.groups.running ? ` (${f.groups.running} running)` : ''}`
}

/** The counts on a terminal, on two lines to fit its width: `upgrade-os 5.3.1: 54/106 devices (50 %)`, then the rest. */
export function liveCounts(title: string, f: FleetProgressDto): string[] {
  const percent = f.devices ? Math.floor((doneOf(f) * 100) / f.devices) : 100
  return [
    `${title}: ${doneOf(f)}/${f.devices} devices (${percent} %)`,
    `  ${f.completed} completed (${f.unchanged} unchanged), ${f.failed} failed, ${f.skipped} skipped; groups ${f.groups.done}/${f.groups.total}${f.groups.running ? `, ${f.groups.running} running:` : ''}`,
  ]
}

/** The groups at work, at most `most` of them: `earth/rack31  leaf63.earth  1/2`, then `…and 3 more`. */
export function runningLines(f: FleetProgressDto, most = 10): string[] {
  const shown = f.running.slice(0, most)
  const width = Math.max(0, ...shown.map((g) => g.group.length))
  const deviceWidth = Math.max(0, ...shown.map((g) => (g.device ?? '-').length))
  const lines = shown.map((g) => `    ${g.group.padEnd(width)}  ${(g.device ?? '-').padEnd(deviceWidth)}  ${g.done}/${g.size}${g.wave === 0 ? '  (canary)' : ''}`)
  if (f.running.length > shown.length) lines.push(`    …and ${f.running.length - shown.length} more`)
  return lines
}

/** What a device said, without its name in front when it put it there (`leaf63.earth: upgrade … failed`). */
export const errorOf = ({ device, error }: { device: string; error: string | null }) => (error?.startsWith(`${device}: `) ? error.slice(device.length + 2) : error) || null

/** `failed: leaf63.earth — upgrade to 5.3.1 failed: the image did not install` */
export const failureLine = (failure: { device: string; error: string | null }) => `failed: ${failure.device}${errorOf(failure) ? ` — ${errorOf(failure)}` : ''}`

export interface ProgressOptions {
  /** where progress goes: stdout, or stderr when stdout carries JSON */
  out: NodeJS.WriteStream
  /** redraw in place (a terminal) rather than print lines */
  live: boolean
  /** `upgrade-os 5.3.1` */
  title: string
  /** the most running groups shown */
  groups?: number
}

/**
 * The progress of one task as its events arrive. Live: a few lines (counts, the groups at work) redrawn in place at
 * most ten times a second, failures printed above them as they appear. Not live: the counts at each 10 % of the
 * devices and each failure as it appears, so that a log stays readable.
 */
export class ProgressView {
  private readonly failuresShown = new Set<string>()
  private drawn = 0
  private decile = -1
  private fleet: FleetProgressDto | null = null
  private status = ''
  private timer: NodeJS.Timeout | undefined
  private lastDraw = 0
  private started = false

  constructor(private readonly options: ProgressOptions) {}

  update(p: ProcessDto): void {
    this.status = p.status
    const f = p.fleet
    if (!f) {
      if (this.options.live) this.schedule()
      return
    }
    this.fleet = f
    const fresh = f.failures.filter((x) => !this.failuresShown.has(x.device))
    if (!this.options.live) {
      if (!this.started) {
        this.started = true
        this.write(`${this.options.title}: ${f.devices} devices in ${f.groups.total} groups (${f.policy})`)
      }
      for (const x of fresh) {
        this.failuresShown.add(x.device)
        this.write(failureLine(x))
      }
      const decile = f.devices ? Math.floor((doneOf(f) * 10) / f.devices) : 10
      if (decile > this.decile) {
        // The first line once something is done; then one per 10 % (the last at 100 %).
        if (this.decile >= 0 || doneOf(f) > 0) this.write(`[${String(decile * 10).padStart(3)}%] ${countsLine(f)}`)
        if (doneOf(f) > 0) this.decile = decile
      }
      return
    }
    if (fresh.length) {
      for (const x of fresh) this.failuresShown.add(x.device)
      this.redraw(fresh.map(failureLine))
    } else this.schedule()
  }

  /** Takes the live lines away (the report follows); prints the failures not shown yet. */
  finish(p?: ProcessDto): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.options.live) this.erase()
    for (const x of p?.fleet?.failures ?? []) {
      if (this.failuresShown.has(x.device)) continue
      this.failuresShown.add(x.device)
      this.write(failureLine(x))
    }
  }

  /** The live lines for what is known now, cut to the terminal's width. */
  liveLines(): string[] {
    const f = this.fleet
    const lines = f ? [...liveCounts(this.options.title, f), ...runningLines(f, this.options.groups ?? 10)] : [`${this.options.title}: ${this.status || 'starting'}…`]
    const width = (this.options.out.columns || 100) - 1
    return lines.map((l) => ([...l].length > width ? `${[...l].slice(0, width - 1).join('')}…` : l))
  }

  private schedule(): void {
    if (this.timer) return
    const wait = Math.max(0, 100 - (Date.now() - this.lastDraw))
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.redraw()
    }, wait)
  }

  /** In one write: the live lines cleared, lines printed above them for good, the live lines drawn anew. */
  private redraw(above: string[] = []): void {
    const lines = this.liveLines()
    this.options.out.write(`${this.eraseCode()}${[...above, ...lines].map((l) => `${l}\n`).join('')}`)
    this.drawn = lines.length
    this.lastDraw = Date.now()
  }

  /** ANSI: the cursor to the start of the first live line, and clear to the end of the screen. */
  private eraseCode(): string {
    const code = this.drawn ? `\x1b[${this.drawn}F\x1b[J` : ''
    this.drawn = 0
    return code
  }

  private erase(): void {
    const code = this.eraseCode()
    if (code) this.options.out.write(code)
  }

  private write(line: string): void {
    this.options.out.write(`${line}\n`)
  }
}

/** The report as the seed has it — completed, failed, skipped, the names — failed devices with what they said. */
export function reportLines(report: FleetReportDto, failures: { device: string; error: string | null }[] = []): string[] {
  const why = new Map(failures.map((f) => [f.device, errorOf(f)]))
  const section = (name: string, devices: string[], note?: (d: string) => string) => [`${name} (${devices.length}):`, ...devices.map((d) => `  ${d}${note?.(d) ?? ''}`)]
  return [
    ...section('completed', report.completed),
    ...section('failed', report.failed, (d) => (why.get(d) ? `  — ${why.get(d)}` : '')),
    ...section('skipped', report.skipped, () => '  (an earlier device of its group failed)'),
  ]
}

/** `106 devices: 100 completed (12 unchanged), 4 failed, 2 skipped` (and what has no outcome yet). */
export function summaryLine(f: FleetProgressDto): string {
  return `${f.devices} devices: ${f.completed} completed (${f.unchanged} unchanged), ${f.failed} failed, ${f.skipped} skipped${f.pending ? `, ${f.pending} not done yet` : ''}`
}

/** The problem of a refused request: its detail, and each field at fault on a line of its own. */
export function problemLines(what: string, status: number, body: unknown): string[] {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Partial<ProblemDto>
  const errors = Array.isArray(problem.errors) ? problem.errors : []
  return [`${what}: ${status} ${problem.detail ?? problem.title ?? ''}`.trim(), ...errors.map((e) => `  ${e.path || '(body)'}: ${e.message}`)]
}

/**
 * What to do about a task that stopped for someone, as API calls (`curl`, which the change board can run without the
 * CLI; `loom process resume|abort` do the same), then how to follow it again. `auth` is how to send the key without printing it (`$LOOM_API_KEY`).
 */
export function goOnLines(p: ProcessDto, api: string, auth: string): string[] {
  const url = (action: string) => new URL(`/api/processes/${p.id}/${action}`, api).href
  const curl = (action: string, body: string) => `curl -X PUT -H "Authorization: Bearer ${auth}" -H 'Content-Type: application/json' -d '${body}' ${url(action)}`
  const lines: string[] = []
  if (p.status === 'waiting' && p.pending_input) {
    const who = p.pending_input.kind === 'approval' ? ` (needs the role ${p.pending_input.assignee ?? 'the step names'})` : ''
    if (p.pending_input.kind === 'approval') {
      lines.push(`To approve the rest of the rollout${who}:`, `  ${curl('resume', '{"approved": true}')}`, 'To reject it (the task is aborted):', `  ${curl('resume', '{"approved": false}')}`)
    } else lines.push(`To answer ${p.pending_input.step} (its form: GET ${url('').replace(/\/$/, '')} → pending_input.form):`, `  ${curl('resume', '{…}')}`)
  } else {
    lines.push('To go on with the devices not done yet (none is upgraded twice):', `  ${curl('resume', '{}')}`)
    lines.push('To stop here (abort the task):', `  ${curl('abort', '{}')}`)
  }
  lines.push(`Then follow it again: loom task follow ${p.id}`)
  return lines
}

/** Why the task stopped: the halt, the approval it waits for, or the step that failed. */
export function stoppedLine(p: ProcessDto): string {
  if (p.status === 'waiting') {
    const step = p.pending_input?.step ?? p.current_step ?? 'a step'
    return step === 'approve_canary'
      ? `waiting: the canary wave is done; the rest of the rollout waits for the change board's approval (step ${step})`
      : `waiting: the task waits for an answer to ${step}${p.pending_input?.label ? ` (${p.pending_input.label})` : ''}`
  }
  if (p.status === 'suspended') {
    if (p.fleet?.halted) return `halted: ${p.fleet.halted}`
    const s = p.suspended[0]
    return `suspended: ${s ? `${s.step} failed: ${s.error.message}` : 'a step failed'}`
  }
  const failure = (p.failure as { message?: string } | null)?.message
  return `${p.status}${failure ? `: ${failure}` : ''}`
}
