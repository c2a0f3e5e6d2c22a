import { ConflictException, Inject, Injectable } from '@nestjs/common'
import type { ProcessStartedDto } from '#contracts/index.js'
import type { ProcessStatus } from '#domain/index.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { type FleetReport, fleetReport, PrismaService } from '#persistence/index.js'
import { FLEET_DEVICE_CLAIM } from '#domain/fleet/rollout.js'
import { TASK_UPGRADE_OS } from '#workflows/names.js'
import { upgradeOsPage } from '#workflows/tasks/fleet-task.forms.js'
import type { VerifiedCaller } from '../auth/caller.js'
import { FieldErrorsException } from '../http/problem.js'
import { ProcessEventsService } from '../processes/process-events.service.js'
import { ProcessesService } from '../processes/processes.service.js'

/** How long a synchronous request waits for the report before it answers 202 with the process to follow. */
export const SYNC_WAIT_MS = 10 * 60_000

/** Statuses after which a synchronous request stops waiting: the end, or someone has to act. */
const SETTLED: readonly ProcessStatus[] = ['completed', 'aborted', 'failed', 'suspended', 'waiting']

export type UpgradeOsAnswer = { kind: 'report'; process_id: string; report: FleetReport } | { kind: 'accepted'; started: ProcessStartedDto }

/**
 * The seed's endpoint over Loom's task_upgrade_os process: the same body, checked strictly (a field the form does
 * not know is a 400 naming it — the seed's own curl sends `filter_dev_sites`, which its server ignored), the same
 * report, and the process behind it to follow, resume or abort.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly processes: ProcessesService,
    private readonly events: ProcessEventsService,
    private readonly prisma: PrismaService,
    @Inject(DCIM) private readonly dcim: Dcim,
  ) {}

  async upgradeOs(body: unknown, caller: VerifiedCaller, options: { wait: boolean; idempotencyKey?: string; waitMs?: number; tenant: string }): Promise<UpgradeOsAnswer> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new FieldErrorsException(400, [{ path: '', message: 'expected a JSON object such as {"version": "5.3.1", "filter_sites": ["earth"]}' }], 'request body')
    }
    const known = Object.keys(upgradeOsPage.shape)
    const unknown = Object.keys(body).filter((k) => !known.includes(k))
    if (unknown.length) {
      throw new FieldErrorsException(400, unknown.map((k) => ({ path: k, message: `unknown field${suggestion(k, known)}; the fields are ${known.join(', ')}` })), 'request body')
    }
    await this.checkSelection(body as Record<string, unknown>)
    const { replayed: _, ...started } = await this.processes.start(TASK_UPGRADE_OS, body, caller, options.idempotencyKey, { tenant: options.tenant })
    if (!options.wait) return { kind: 'accepted', started }
    const status = await this.settled(started.id, options.waitMs ?? SYNC_WAIT_MS)
    if (status === 'completed') return { kind: 'report', process_id: started.id, report: await fleetReport(this.prisma, started.id) }
    if (status === 'aborted' || status === 'failed') {
      const failure = (await this.prisma.process.findUnique({ where: { id: started.id }, select: { failure: true } }))?.failure as { message?: string } | null
      throw new ConflictException(`The task ${started.id} ended ${status}${failure?.message ? `: ${failure.message}` : ''}; GET /api/processes/${started.id} tells what it did.`)
    }
    return { kind: 'accepted', started: { ...started, status: status ?? started.status } }
  }

  /**
   * Sites and device types the inventory does not have select nothing: more likely a typo than a wish (422). Devices
   * another fleet task holds are a 409 naming it (the plan would refuse them too, after the start).
   */
  private async checkSelection(body: Record<string, unknown>): Promise<void> {
    const parsed = upgradeOsPage.safeParse(body)
    if (!parsed.success) return // the form answers 422, field by field
    const { filter_sites: sites, filter_dev_types: types } = parsed.data
    const found = await this.dcim.devices({ sites, roles: types })
    const errors = [
      ...(sites ?? []).flatMap((s, i) => (found.some((d) => d.site === s) ? [] : [{ path: `filter_sites.${i}`, message: `no device${types ? ` of type ${types.join(' or ')}` : ''} at site ${s}` }])),
      ...(types ?? []).flatMap((t, i) => (found.some((d) => d.role === t) ? [] : [{ path: `filter_dev_types.${i}`, message: `no device of type ${t}${sites ? ` at ${sites.join(', ')}` : ''}` }])),
    ]
    if (errors.length) throw new FieldErrorsException(422, errors, 'request body')
    const held = await this.prisma.resourceClaim.findMany({ where: { resourceType: FLEET_DEVICE_CLAIM, resourceKey: { in: found.map((d) => d.name) } }, select: { resourceKey: true, processId: true } })
    if (held.length) {
      const task = held[0].processId
      throw new ConflictException(
        `${held.length} of the selected devices (${held.slice(0, 3).map((h) => h.resourceKey).join(', ')}${held.length > 3 ? ', …' : ''}) are in fleet task ${task}, which has not ended: wait for it (GET /api/processes/${task}) or abort it (PUT /api/processes/${task}/abort).`,
      )
    }
  }

  /** The process's status once it has settled, or null when `ms` passed first. */
  private async settled(id: string, ms: number): Promise<ProcessStatus | null> {
    const read = async () => (await this.prisma.process.findUnique({ where: { id }, select: { status: true } }))?.status ?? null
    return new Promise<ProcessStatus | null>((resolve, reject) => {
      let stop = () => {}
      let done = false
      const finish = (status: ProcessStatus | null) => {
        if (done) return
        done = true
        clearTimeout(timer)
        stop()
        resolve(status)
      }
      const check = () =>
        void read().then(
          (s) => s && SETTLED.includes(s) && finish(s),
          () => undefined, // the database restarting: the next change, or the time limit, decides
        )
      const timer = setTimeout(() => finish(null), ms)
      this.events.follow(id, check).then((unfollow) => {
        stop = unfollow
        if (done) unfollow()
        else check() // what settled before we followed
      }, (error: Error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
  }
}

/** " (did you mean filter_sites or filter_dev_types?)": known fields two edits, or one word, away. */
function suggestion(field: string, known: string[]): string {
  const words = field.split('_')
  const oneWordAway = (k: string) => {
    const kw = k.split('_')
    if (kw.length === words.length) return kw.filter((w, i) => w !== words[i]).length === 1
    const [longer, shorter] = kw.length > words.length ? [kw, words] : [words, kw]
    return longer.length === shorter.length + 1 && longer.some((_, i) => longer.filter((__, j) => j !== i).join('_') === shorter.join('_'))
  }
  const close = known.filter((k) => distance(field, k) <= 2 || oneWordAway(k))
  return close.length ? ` (did you mean ${close.join(' or ')}?)` : ''
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}
