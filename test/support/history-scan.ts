// After the suite: every workflow history the run left on its Temporal server, read as Temporal's operators (and
// its Web UI) could read it — no payload in the clear, no API key, no private key.
import { Client, Connection } from '@temporalio/client'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'

/** The SDK's own bookkeeping (patch ids, a local activity's sequence number), which Temporal must read: no data of Loom's. */
const BOOKKEEPING = /markerRecordedEventAttributes\.details\.(patch-data|data)\./
/** …and the reason the SDK gives for an activity cancelled before it started (an abort during a retry's backoff). */
export const isBookkeeping = (p: JsonPayload) =>
  BOOKKEEPING.test(p.path) || (/activityTaskCanceledEventAttributes\.details/.test(p.path) && Buffer.from(p.data ?? '', 'base64').toString() === '"ACTIVITY_ID_NOT_STARTED"')
const API_KEY = /loom_[A-Za-z0-9_-]{43}/
const CONCURRENCY = 8

export type JsonPayload = { metadata?: Record<string, string>; data?: string; path: string }

/** Every payload of a history (with where it is), but the search attributes (which Temporal must read to index them). */
export function payloadsOf(node: unknown, path = '', found: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(node)) node.forEach((item, i) => payloadsOf(item, `${path}[${i}]`, found))
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'searchAttributes' || key === 'indexedFields') continue
      if (key === 'payloads' && Array.isArray(value)) found.push(...(value as JsonPayload[]).map((p, i) => ({ ...p, path: `${path}.${key}[${i}]` })))
      else payloadsOf(value, `${path}.${key}`, found)
    }
  }
  return found
}

/** What is wrong with the histories of the server at `address`, one line per finding; and how many it read. */
export async function scanHistories(address: string): Promise<{ scanned: number; findings: string[] }> {
  const connection = await Connection.connect({ address })
  try {
    const client = new Client({ connection })
    const ids: { workflowId: string; runId: string }[] = []
    for await (const w of client.workflow.list()) ids.push({ workflowId: w.workflowId, runId: w.runId })
    const findings: string[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < ids.length; i = next++) {
          const { workflowId, runId } = ids[i]
          const json = historyToJSON(await client.workflow.getHandle(workflowId, runId).fetchHistory())
          const clear = payloadsOf(JSON.parse(json)).filter((p) => !isBookkeeping(p) && Buffer.from(p.metadata?.encoding ?? '', 'base64').toString() !== 'binary/encrypted')
          for (const p of clear.slice(0, 3)) findings.push(`${workflowId}: a payload in the clear at ${p.path} (${Buffer.from(p.metadata?.encoding ?? '', 'base64').toString()}: ${Buffer.from(p.data ?? '', 'base64').toString().slice(0, 80)})`)
          if (API_KEY.test(json)) findings.push(`${workflowId}: an API key in the history`)
          if (json.includes('PRIVATE KEY')) findings.push(`${workflowId}: a private key in the history`)
        }
      }),
    )
    return { scanned: ids.length, findings }
  } finally {
    await connection.close()
  }
}
