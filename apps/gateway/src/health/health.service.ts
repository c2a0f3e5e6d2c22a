import { Injectable } from '@nestjs/common'
import type { HealthDto } from '#contracts/index.js'
import { PrismaService } from '#persistence/index.js'
import { TemporalService } from '../temporal/temporal.module.js'

const CHECK_TIMEOUT_MS = 2500

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly temporal: TemporalService,
  ) {}

  async check(): Promise<HealthDto> {
    const [temporal, database] = await Promise.all([
      probe(`Temporal at ${this.temporal.address}`, () =>
        this.temporal.probeConnection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          this.temporal.probeConnection.workflowService.getSystemInfo({}),
        ),
      ),
      probe('the database', () => this.prisma.ping()),
    ])
    return { status: temporal === 'ok' && database === 'ok' ? 'ok' : 'degraded', temporal, database }
  }
}

/** "ok", or a one-line reason naming what did not answer. */
async function probe(what: string, fn: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)
      }),
    ])
    return 'ok'
  } catch (error) {
    const message = (error as Error)?.message ?? String(error)
    return `unreachable: ${what}: ${message.split('\n')[0]}`
  } finally {
    clearTimeout(timer)
  }
}
