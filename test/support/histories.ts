import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { projectRoot } from '#runtime/index.js'
import { testTemporalAddress } from './env.js'

/**
 * With LOOM_RECORD_HISTORIES=1, writes the process's workflow history to libs/workflows/src/<folder>/histories/<name>.json,
 * where the replay test finds it. Re-record deliberately, after a change that is meant to change the workflow.
 */
export async function recordHistoryIfAsked(processId: string, folder: string, name: string): Promise<void> {
  if (process.env.LOOM_RECORD_HISTORIES !== '1') return
  const connection = await Connection.connect({ address: testTemporalAddress() })
  try {
    const history = await new Client({ connection }).workflow.getHandle(processId).fetchHistory()
    writeFileSync(join(projectRoot(), 'libs', 'workflows', 'src', folder, 'histories', `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`)
  } finally {
    await connection.close()
  }
}
