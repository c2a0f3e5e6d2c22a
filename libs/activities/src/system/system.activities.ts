import { Injectable } from '@nestjs/common'
import { PrismaService } from '#persistence/index.js'

export interface DatabaseCheck {
  database: 'ok'
  server_version: string
  latency_ms: number
  worker_pid: number
}

/** Activities about Loom itself; they prove the worker reaches its database. */
@Injectable()
export class SystemActivities {
  constructor(private readonly prisma: PrismaService) {}

  async checkDatabase(): Promise<DatabaseCheck> {
    const started = performance.now()
    const [row] = await this.prisma.$queryRaw<{ version: string }[]>`SELECT current_setting('server_version') AS version`
    return {
      database: 'ok',
      server_version: row.version,
      latency_ms: Math.round((performance.now() - started) * 10) / 10,
      worker_pid: process.pid,
    }
  }
}
