import type { PrismaClient } from '../generated/prisma/client.js'

/**
 * Undoes the record of a process whose workflow Temporal did not take (the start failed or had no answer in
 * time): its row, claims, idempotency key and subscription links go, and the subscriptions it locked (quietly:
 * their version and `insync` untouched) are free again — as if the start had never been asked. Under the row's
 * lock, against the workflow's start check (ProcessActivities.startRefusal): a start whose answer was lost may
 * still have run, and a process its workflow has taken up (or that shows it has run: older rows have no
 * `run_id`) is never forgotten. Says whether it was forgotten (or already gone), else which run took it up.
 */
export async function forgetUnstarted(prisma: Pick<PrismaClient, '$transaction'>, processId: string): Promise<{ forgotten: true } | { forgotten: false; runId: string | null }> {
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ run_id: string | null; status: string }[]>`SELECT run_id, status::text FROM processes WHERE id = ${processId}::uuid FOR UPDATE`
    if (!row) return { forgotten: true }
    if (row.run_id !== null || row.status !== 'created') return { forgotten: false, runId: row.run_id }
    await tx.$executeRaw`UPDATE subscriptions SET locked_by = NULL WHERE locked_by = ${processId}::uuid`
    // Claims, idempotency keys and subscription links go with it (ON DELETE CASCADE).
    await tx.$executeRaw`DELETE FROM processes WHERE id = ${processId}::uuid`
    return { forgotten: true }
  })
}
