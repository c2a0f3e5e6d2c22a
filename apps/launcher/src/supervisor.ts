// The launcher's restart policy: a child that stops unexpectedly is started again after a growing delay
// (1 s, 2 s, 4 s … capped); one that keeps dying soon after each start is given up on.
import type { Exit, ManagedProcess } from '#runtime/index.js'

export interface RestartPolicyOptions {
  /** the delay before the first restart; each further restart in a row doubles it */
  initialDelayMs?: number
  maxDelayMs?: number
  /** restarts in a row (each child living less than `stableMs`) after which the next failure gives up */
  maxRestarts?: number
  /** a child that ran this long counts as healthy: the next failure starts counting (and the backoff) again */
  stableMs?: number
}

export type RestartDecision = { restart: true; delayMs: number; count: number } | { restart: false; failures: number }

/** Decides, at each failure of one child, whether and when to start it again. Pure: the caller measures how long the child lived. */
export class RestartPolicy {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly maxRestarts: number
  readonly stableMs: number
  /** restarts since the child last ran `stableMs` */
  private inARow = 0
  /** restarts in all, for the log */
  private total = 0

  constructor(options: RestartPolicyOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 1000
    this.maxDelayMs = options.maxDelayMs ?? 30_000
    this.maxRestarts = options.maxRestarts ?? 5
    this.stableMs = options.stableMs ?? 60_000
  }

  /** `livedMs`: how long the child that just failed had run (0 when it failed to start). */
  onFailure(livedMs: number): RestartDecision {
    if (livedMs >= this.stableMs) this.inARow = 0
    if (this.inARow >= this.maxRestarts) return { restart: false, failures: this.inARow + 1 }
    const delayMs = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.inARow)
    this.inARow++
    this.total++
    return { restart: true, delayMs, count: this.total }
  }
}

export function describeStop({ code, signal }: Exit): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`
}

export interface SupervisedOptions {
  name: string
  /** starts the child again, with the environment, ports and files of the first start; rejects when it cannot start */
  start: () => Promise<ManagedProcess>
  policy?: RestartPolicy
  say: (message: string) => void
  /** the child keeps dying: the caller stops everything */
  giveUp: (message: string) => void
  /** false while the launcher starts (a child that stops then is fatal) or stops (no restarts while stopping) */
  active?: () => boolean
  now?: () => number
}

/** One child under supervision: restarted when it stops unexpectedly, until `stop()` (no restart after it) or giving up. */
export class Supervised {
  readonly name: string
  private current: ManagedProcess | undefined
  private starting: Promise<unknown> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly policy: RestartPolicy
  private readonly now: () => number

  constructor(
    private readonly options: SupervisedOptions,
    first: ManagedProcess,
  ) {
    this.name = options.name
    this.policy = options.policy ?? new RestartPolicy()
    this.now = options.now ?? Date.now
    this.watch(first, this.now())
  }

  get process(): ManagedProcess | undefined {
    return this.current
  }

  /** No more restarts; stops the child (waiting for one being started). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.starting?.catch(() => {})
    await this.current?.stop(graceMs)
  }

  private active(): boolean {
    return this.options.active?.() ?? true
  }

  private watch(child: ManagedProcess, startedAt: number) {
    this.current = child
    void child.exited.then((exit) => this.failed(describeStop(exit), this.now() - startedAt))
  }

  private failed(cause: string, livedMs: number) {
    if (this.stopped) return
    if (!this.active()) {
      this.stopped = true
      this.options.giveUp(`${this.name} stopped unexpectedly (${cause}); stopping everything`)
      return
    }
    const decision = this.policy.onFailure(livedMs)
    if (!decision.restart) {
      this.stopped = true
      this.options.giveUp(
        `${this.name} stopped unexpectedly (${cause}): ${decision.failures} failures in a row, each within ${this.policy.stableMs / 1000} s of its start; giving up: stopping everything`,
      )
      return
    }
    this.options.say(`${this.name} stopped unexpectedly (${cause}); restarting it in ${decision.delayMs / 1000} s (restart ${decision.count})`)
    this.timer = setTimeout(() => this.restart(), decision.delayMs)
  }

  private restart() {
    this.timer = undefined
    if (this.stopped || !this.active()) return
    const startedAt = this.now()
    const starting = this.options.start().then(
      (child) => {
        this.current = child
        if (this.stopped) return // stop() waits for this start, then stops the child
        this.options.say(`${this.name} restarted (pid ${child.child.pid})`)
        this.watch(child, startedAt)
      },
      (error: unknown) => this.failed(`restart failed: ${error instanceof Error ? error.message : String(error)}`, this.now() - startedAt),
    )
    this.starting = starting
  }
}
