import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common'
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'
import { v7 as uuidv7 } from 'uuid'
import type { LoomConfig } from '../../../../libs/config/src/index.js'
import type { SystemPingDto } from '../../../../libs/contracts/src/index.js'
import { ANONYMOUS_USER } from '../../../../libs/domain/src/index.js'
import { SYSTEM_PING } from '../../../../libs/workflows/src/names.js'
import type { SystemPingResult } from '../../../../libs/workflows/src/system/system-ping.workflow.js'
import { TemporalService } from '../temporal/temporal.module.js'
import { LOOM_CONFIG } from '../tokens.js'

const LoomTarget = defineSearchAttributeKey('LoomTarget', SearchAttributeType.KEYWORD)
const LoomCreatedBy = defineSearchAttributeKey('LoomCreatedBy', SearchAttributeType.KEYWORD)

@Injectable()
export class SystemService {
  constructor(
    private readonly temporal: TemporalService,
    @Inject(LOOM_CONFIG) private readonly config: LoomConfig,
  ) {}

  async ping(timeoutSeconds: number, user = ANONYMOUS_USER): Promise<SystemPingDto> {
    const started = performance.now()
    const workflowId = `${SYSTEM_PING}-${uuidv7()}`
    let handle
    try {
      handle = await this.temporal.client.workflow.start(SYSTEM_PING, {
        workflowId,
        taskQueue: this.config.taskQueue,
        workflowExecutionTimeout: `${timeoutSeconds + 5} seconds`,
        typedSearchAttributes: [
          { key: LoomTarget, value: 'SYSTEM' },
          { key: LoomCreatedBy, value: user },
        ],
        staticSummary: `System ping requested by ${user}`,
      })
    } catch (error) {
      throw new ServiceUnavailableException(`cannot start ${SYSTEM_PING} on Temporal at ${this.temporal.address}: ${(error as Error).message}`)
    }
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutSeconds * 1000)
    })
    try {
      const result = (await Promise.race([handle.result(), timedOut])) as SystemPingResult
      return { ...result, round_trip_ms: Math.round(performance.now() - started) }
    } catch (error) {
      await handle.terminate('no worker answered in time').catch(() => {})
      const reason =
        (error as Error).message === 'timeout'
          ? `no worker answered within ${timeoutSeconds} s on task queue "${this.config.taskQueue}"; workflow ${workflowId} was terminated`
          : `${SYSTEM_PING} failed: ${(error as Error).message}`
      throw new ServiceUnavailableException(reason)
    } finally {
      clearTimeout(timer)
    }
  }
}
