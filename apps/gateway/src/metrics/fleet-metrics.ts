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
    const tasks = async () => {
      const [row] = await prisma.$queryRaw<{ total: number; failed: number }[]>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM fleet_task_devices d WHERE d.process_id = t.process_id AND d.outcome = 'failed'))::int AS failed
        FROM fleet_tasks t`
      return row
    }
    new Counter({
      name: 'total_task_requests_total',
      help: 'Total number of task requests',
      registers: [this.registry],
      async collect() {
        this.reset()
        this.inc((await tasks()).total)
      },
    })
    new Counter({
      name: 'failed_tasks_total',
      help: 'Total number of task requests that failed on at least one host',
      registers: [this.registry],
      async collect() {
        this.reset()
        this.inc((await tasks()).failed)
      },
    })
    const perHost = (outcomes: string[]) =>
      prisma.$queryRaw<{ host: string; site: string; dev_type: string; n: number }[]>`
        SELECT device AS host, site, dev_type, count(*)::int AS n FROM fleet_task_devices
        WHERE outcome::text = ANY(${outcomes}::text[]) GROUP BY device, site, dev_type`
    const labelNames = ['host', 'site', 'dev_type'] as const
    new Counter({
      name: 'total_task_requests_per_host_total',
      help: 'Total number of task requests per host',
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const r of await perHost(['completed', 'failed'])) this.inc({ host: r.host, site: r.site, dev_type: r.dev_type }, r.n)
      },
    })
    new Counter({
      name: 'failed_tasks_per_host_total',
      help: 'Total number of failed task requests per host',
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const r of await perHost(['failed'])) this.inc({ host: r.host, site: r.site, dev_type: r.dev_type }, r.n)
      },
    })
  }
}
