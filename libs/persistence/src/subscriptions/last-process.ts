import type { Prisma } from '../generated/prisma/client.js'

/** The last completed process of some workflows that changed a subscription, and the workflow of its parent, if any. */
export interface LastProcess {
  process_id: string
  workflow: string
  completed_at: string
  parent_workflow: string | null
}

/** For each subscription, the last completed process of one of `workflows` that changed it (null: none). */
export async function lastCompletedProcesses(db: Prisma.TransactionClient, subscriptionIds: readonly string[], workflows: readonly string[]): Promise<Record<string, LastProcess | null>> {
  const rows = await db.$queryRaw<(LastProcess & { subscription_id: string })[]>`
    SELECT DISTINCT ON (ps.subscription_id) ps.subscription_id::text AS subscription_id, p.id::text AS process_id, p.workflow,
      to_json(p.completed_at)#>>'{}' AS completed_at, parent.workflow AS parent_workflow
    FROM process_subscriptions ps
    JOIN processes p ON p.id = ps.process_id
    LEFT JOIN processes parent ON parent.id = p.parent_id
    WHERE ps.subscription_id = ANY(${[...subscriptionIds]}::uuid[]) AND p.workflow = ANY(${[...workflows]}::text[]) AND p.status = 'completed'
    ORDER BY ps.subscription_id, p.completed_at DESC, p.id DESC`
  const found = new Map(rows.map(({ subscription_id, ...last }) => [subscription_id, last]))
  return Object.fromEntries(subscriptionIds.map((id) => [id, found.get(id) ?? null]))
}
