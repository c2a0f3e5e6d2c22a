import { Inject, Injectable } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { IPAM, type Ipam } from '#integrations/ipam/ipam.js'
import { PrismaService } from '#persistence/index.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'
import { reported } from '../reported.js'

/** What validating a node found: nothing, or each disagreement between the model and a source of truth. */
export interface NodeValidation {
  problems: string[]
}

@Injectable()
export class NodeValidationActivities {
  constructor(
    private readonly prisma: PrismaService,
    private readonly steps: StepLog,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Inject(IPAM) private readonly ipam: Ipam,
  ) {}

  /** Compares a node subscription's model with its DCIM device and with the loopbacks IPAM holds for it. */
  async validateNode(input: StepContext & { subscription_id: string }): Promise<NodeValidation> {
    const { process_id, step, started_at } = input
    return this.steps.onceOutside({ process_id, step, started_at }, async () => {
      const subscription = await this.prisma.subscription.findUniqueOrThrow({ where: { id: input.subscription_id }, select: { lifecycle: true, domainModel: true } })
      const node = (subscription.domainModel as { node?: Record<string, string | undefined> }).node ?? {}
      const problems: string[] = []
      // DCIM's refusal (no such device) is a finding; DCIM or the database not answering is not: that fails the
      // activity retryably, so that a busy database never marks a node out of sync.
      const device = await reported(this.dcim.device(node.device_name ?? '')).catch((e: unknown) => {
        if (!(e instanceof ApplicationFailure && e.nonRetryable)) throw e
        problems.push(e.message)
        return null
      })
      if (device) {
        const expected = subscription.lifecycle === 'active' ? 'active' : undefined
        if (expected && device.status !== expected) problems.push(`DCIM has ${device.name} ${device.status}, the subscription is ${subscription.lifecycle}`)
        if (node.management_address && device.management_address !== node.management_address)
          problems.push(`management address: the model has ${node.management_address}, DCIM has ${device.management_address ?? 'none'}`)
      }
      for (const purpose of ['loopback_ipv4', 'loopback_ipv6'] as const) {
        const held = await reported(this.ipam.allocationOf({ subscription_id: input.subscription_id, purpose }))
        if (node[purpose] && held && held.prefix !== node[purpose]) problems.push(`${purpose}: the model has ${node[purpose]}, IPAM holds ${held.prefix} for it`)
        if (node[purpose] && !held) problems.push(`${purpose}: the model has ${node[purpose]}, IPAM holds nothing for it`)
      }
      return { result: { problems }, state_delta: { problems } }
    })
  }
}
