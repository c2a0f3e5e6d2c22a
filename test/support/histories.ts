import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client, Connection } from '@temporalio/client'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { projectRoot } from '#runtime/index.js'
import type { Payload } from '@temporalio/common'
import { testDataConverter, testTemporalAddress } from './env.js'
import { payloadsOf } from './history-scan.js'

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

/**
 * A workflow's history as text anyone holding Loom's keys could read: the JSON, then every payload's data,
 * decrypted with the test run's keys where it is encrypted.
 */
export async function readableHistory(processId: string): Promise<string> {
  const connection = await Connection.connect({ address: testTemporalAddress() })
  try {
    const json = historyToJSON(await new Client({ connection }).workflow.getHandle(processId).fetchHistory())
    const codec = testDataConverter().payloadCodecs![0]
    const payloads: Payload[] = payloadsOf(JSON.parse(json)).map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    }))
    const opened = await codec.decode(payloads)
    return [json, ...opened.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))].join('\n')
  } finally {
    await connection.close()
  }
}
