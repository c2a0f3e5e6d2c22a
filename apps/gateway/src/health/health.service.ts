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
    return `unreachable: ${what}: ${reasonOf(error)}`
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The first line that says something: a refused connection to a host with two addresses (::1 and 127.0.0.1) is
 * an AggregateError with an empty message — its errors and code say it.
 */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const line = error.message.split('\n').find((l) => l.trim())?.trim()
  if (line) return line
  const inner = error instanceof AggregateError ? [...new Set(error.errors.map((e: unknown) => reasonOf(e)))].join('; ') : ''
  const code = (error as Error & { code?: unknown }).code
  return inner || (typeof code === 'string' ? code : error.name)
}
