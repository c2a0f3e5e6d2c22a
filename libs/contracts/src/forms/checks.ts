// Start checks several forms share (StartForm.check): what forbids a start now, each reason naming who.
import type { StartCheckContext } from './start-form.js'

/** A termination: refused while live subscriptions use the one to end, and while a process holds it as a claim. */
export async function notInUse(ctx: StartCheckContext, what: string, subscriptionId: string, claim?: { resource_type: string }): Promise<string[]> {
  const users = await ctx.usersOf(subscriptionId)
  const reasons = users.length
    ? [`${what} ${subscriptionId} is in use by ${users.map((u) => `${u.product} ${u.id} "${u.description}" (${u.lifecycle}, ${u.path})`).join(', ')}`]
    : []
  // A process that creates a user holds it from its start, before its subscription (and the reference) is stored.
  const holder = claim ? await ctx.claimHolder(claim.resource_type, subscriptionId) : null
  if (holder && !users.some((u) => u.id === holder.subscription_id)) reasons.push(`${what} ${subscriptionId} is held by process ${holder.process_id} (${holder.workflow})`)
  return reasons
}

/** A create that would use subscriptions: refused while a process terminates one of them. */
export async function notBeingTerminated(ctx: StartCheckContext, used: { what: string; id: string }[]): Promise<string[]> {
  const reasons: string[] = []
  for (const { what, id } of used) {
    const holder = await ctx.lockHolder(id)
    if (holder?.target === 'TERMINATE') reasons.push(`${what} ${id} is being terminated by process ${holder.process_id} (${holder.workflow})`)
  }
  return reasons
}
