import { Inject, Injectable, type OnModuleInit } from '@nestjs/common'
import { Gauge, Histogram, type Registry } from 'prom-client'
import { PrismaService } from '#persistence/index.js'
import { METRICS_REGISTRY } from './metrics.controller.js'

/**
 * Process metrics from the permanent log, read when Prometheus scrapes: processes by workflow and status, who
 * waits for input, and how long steps took. The log is written by every worker, so one gateway sees them all.
 */
@Injectable()
export class ProcessMetrics implements OnModuleInit {
  /** steps that completed after this are not observed yet */
  private observedUntil = new Date()

  constructor(
    private readonly prisma: PrismaService,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const prisma = this.prisma
    new Gauge({
      name: 'loom_processes',
      help: 'Processes in the log by workflow and status (started = the sum over statuses)',
      labelNames: ['workflow', 'status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await prisma.process.groupBy({ by: ['workflow', 'status'], _count: { _all: true } })
        this.reset()
        for (const r of rows) this.set({ workflow: r.workflow, status: r.status }, r._count._all)
      },
    })
    new Gauge({
      name: 'loom_processes_waiting_input',
      help: 'Processes waiting for an input or approval step, by the team or role that answers',
      labelNames: ['assignee'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await prisma.process.groupBy({ by: ['assignee'], where: { status: 'waiting' }, _count: { _all: true } })
        this.reset()
        for (const r of rows) this.set({ assignee: r.assignee ?? 'anyone' }, r._count._all)
      },
    })
    const durations: Histogram<'workflow' | 'step' | 'status'> = new Histogram({
      name: 'loom_step_duration_seconds',
      help: 'Duration of completed steps (waits for people included), by workflow, step and status, since this gateway started',
      labelNames: ['workflow', 'step', 'status'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400],
      registers: [this.registry],
      collect: (): Promise<void> => this.observeSteps(durations),
    })
  }

  private async observeSteps(durations: Histogram<'workflow' | 'step' | 'status'>): Promise<void> {
    const since = this.observedUntil
    const rows = await this.prisma.$queryRaw<{ workflow: string; step: string; status: string; seconds: number; completed_at: Date }[]>`
      SELECT p.workflow, s.name AS step, s.status::text AS status, s.completed_at,
             EXTRACT(EPOCH FROM (s.completed_at - s.started_at))::float8 AS seconds
      FROM process_steps s JOIN processes p ON p.id = s.process_id
      WHERE s.completed_at > ${since} AND s.started_at IS NOT NULL
      ORDER BY s.completed_at`
    for (const r of rows) durations.observe({ workflow: r.workflow, step: r.step, status: r.status }, Math.max(0, r.seconds))
    if (rows.length) this.observedUntil = rows[rows.length - 1].completed_at
  }
}
