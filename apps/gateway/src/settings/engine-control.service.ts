import { Injectable, ServiceUnavailableException } from '@nestjs/common'
import type { EngineSettingsDto } from '#contracts/index.js'
import { MessageSigner, type Prisma, PrismaService } from '#persistence/index.js'
import { engineSignal } from '#workflows/engine/messages.js'
import { TemporalService } from '../temporal/temporal.module.js'

/** Signals sent at once when the engine is switched: enough to be quick, few enough not to flood Temporal. */
const SIGNAL_CONCURRENCY = 16

/** The engine switch: stops new processes and pauses running ones at their next step boundary, or lets them go on. */
@Injectable()
export class EngineControl {
  constructor(
    private readonly prisma: PrismaService,
    private readonly temporal: TemporalService,
    private readonly signer: MessageSigner,
  ) {}

  async get(): Promise<EngineSettingsDto> {
    return this.toDto(await this.prisma.engineSetting.findUniqueOrThrow({ where: { id: 1 } }), 0)
  }

  /**
   * Inside a start transaction: a 503 with the reason when the engine is stopped. The share lock makes a switch
   * wait for starts in flight, so that the processes it then tells include them.
   */
  async assertRunning(tx: Prisma.TransactionClient): Promise<void> {
    const [setting] = await tx.$queryRaw<{ running: boolean; reason: string | null }[]>`SELECT running, reason FROM engine_settings WHERE id = 1 FOR SHARE`
    if (setting && !setting.running) {
      throw new ServiceUnavailableException(`The engine is stopped${setting.reason ? `: ${setting.reason}` : ''}; no new process starts until PUT /api/settings/engine {"running": true}.`)
    }
  }

  /** Switches the engine and tells every process that has not ended; returns the setting and how many were told. */
  async set(running: boolean, reason: string | undefined, user: string): Promise<EngineSettingsDto> {
    // The update waits for the starts holding the row's share lock: the processes read below include them.
    const setting = await this.prisma.engineSetting.update({ where: { id: 1 }, data: { running, reason: running ? null : (reason ?? null), updatedBy: user, updatedAt: new Date() } })
    const open = await this.prisma.process.findMany({ where: { completedAt: null }, select: { id: true } })
    let notified = 0
    const queue = [...open]
    // When it was set goes with the setting: a workflow applies a newer one only, so an old one sent again is ignored.
    const message = { running, at: setting.updatedAt.toISOString() }
    await Promise.all(
      Array.from({ length: SIGNAL_CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          // A process whose workflow has ended or never started has nothing to pause.
          const sent = await this.temporal.client.workflow
            .getHandle(next.id)
            .signal(engineSignal, { ...message, signature: await this.signer.sign(next.id, 'engine', message) })
            .then(() => true)
            .catch(() => false)
          if (sent) notified++
        }
      }),
    )
    return this.toDto(setting, notified)
  }

  private toDto(s: { running: boolean; reason: string | null; updatedBy: string | null; updatedAt: Date }, notified: number): EngineSettingsDto {
    return { running: s.running, reason: s.reason, updated_by: s.updatedBy, updated_at: s.updatedAt.toISOString(), processes_notified: notified }
  }
}
