import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common'
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client'
import { v7 as uuidv7 } from 'uuid'
import type { LoomConfig } from '#config/index.js'
import type { SystemPingDto } from '#contracts/index.js'
import { escapeMarkdown, SEARCH_ATTRIBUTE } from '#domain/index.js'
import { SYSTEM_PING } from '#workflows/names.js'
import type { systemPing } from '#workflows/system/system-ping.workflow.js'
import { TemporalService } from '../temporal/temporal.module.js'
import { LOOM_CONFIG } from '../tokens.js'

@Injectable()
export class SystemService {
  constructor(
    private readonly temporal: TemporalService,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
  ) {}

  /** Runs system_ping and waits for it; a ping nobody answers is terminated, so none is left running. */
  async ping(timeoutSeconds: number, user: string): Promise<SystemPingDto> {
    const started = performance.now()
    const handle = await this.start(timeoutSeconds, user)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no worker answered within ${timeoutSeconds} s on task queue "${this.config.taskQueue}"`)),
        timeoutSeconds * 1000,
      )
    })
    try {
      const result = await Promise.race([handle.result(), timedOut])
      return { ...result, round_trip_ms: Math.round(performance.now() - started) }
    } catch (error) {
      await handle.terminate('the gateway stopped waiting for it').catch(() => {})
      throw new ServiceUnavailableException(`${(error as Error).message}; workflow ${handle.workflowId} was terminated`)
    } finally {
      clearTimeout(timer)
    }
  }

  private async start(timeoutSeconds: number, user: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof systemPing>> {
    try {
      return await this.temporal.client.workflow.start<typeof systemPing>(SYSTEM_PING, {
        workflowId: `${SYSTEM_PING}-${uuidv7()}`,
        taskQueue: this.config.taskQueue,
        workflowExecutionTimeout: `${timeoutSeconds + 5} seconds`,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTE.target, value: 'SYSTEM' },
          { key: SEARCH_ATTRIBUTE.createdBy, value: user },
        ],
        staticSummary: `System ping requested by ${escapeMarkdown(user)}`,
      })
    } catch (error) {
      throw new ServiceUnavailableException(`cannot start ${SYSTEM_PING} on Temporal at ${this.temporal.address}: ${(error as Error).message}`)
    }
  }
}
