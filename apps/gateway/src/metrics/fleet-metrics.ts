import { Inject, Injectable, type OnModuleInit } from '@nestjs/common'
import { Counter, type Registry } from 'prom-client'
import { PrismaService } from '#persistence/index.js'
import { METRICS_REGISTRY } from './metrics.controller.js'

/**
 * The nornir3 demo's four counters, under the names its Prometheus processor shows (prometheus_client appends
 * `_total`; prom-client does not, so the names carry it). Counted from the fleet tasks' plans when Prometheus
 * scrapes, so they survive restarts and agree across gateways: a task request per task, a failed task per task with
 * a failed device; per host, each time a task ran on it (a skipped host did not run) and each time it failed.
 */
@Injectable()
export class FleetMetrics implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const prisma = this.prisma
    // The registry collects its metrics at once: the pair of counters that reads a query shares one run of it.
    const tasks = shared(async () => {
      const [row] = await prisma.$queryRaw<{ total: number; failed: number }[]>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM fleet_task_devices d WHERE d.process_id = t.process_id AND d.outcome = 'failed'))::int AS failed
        FROM fleet_tasks t`
      return row
    })
    const hosts = shared(() =>
      prisma.$queryRaw<{ host: string; site: string; dev_type: string; ran: number; failed: number }[]>`
        SELECT device AS host, site, dev_type, count(*)::int AS ran, count(*) FILTER (WHERE outcome = 'failed')::int AS failed
        FROM fleet_task_devices WHERE outcome IN ('completed', 'failed') GROUP BY device, site, dev_type`,
    )
    const counter = (name: string, help: string, value: (row: Awaited<ReturnType<typeof tasks>>) => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.reset()
          this.inc(value(await tasks()))
        },
      })
    const perHost = (name: string, help: string, value: (row: Awaited<ReturnType<typeof hosts>>[number]) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['host', 'site', 'dev_type'] as const,
        registers: [this.registry],
        async collect() {
          this.reset()
          for (const r of await hosts()) if (value(r)) this.inc({ host: r.host, site: r.site, dev_type: r.dev_type }, value(r))
        },
      })
    counter('total_task_requests_total', 'Total number of task requests', (t) => t.total)
    counter('failed_tasks_total', 'Total number of task requests that failed on at least one host', (t) => t.failed)
    perHost('total_task_requests_per_host_total', 'Total number of task requests per host', (h) => h.ran)
    perHost('failed_tasks_per_host_total', 'Total number of failed task requests per host', (h) => h.failed)
  }
}

/** One run of `read` for the calls made while it runs. */
function shared<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined
  return () => (running ??= read().finally(() => (running = undefined)))
}
