import { Context } from '@temporalio/activity'
import type { DeviceAccessConfig } from '#config/index.js'
import type { Dcim } from '#integrations/dcim/dcim.js'
import { targetOf } from '#integrations/devices/device-access.js'
import type { DeviceTarget } from '#integrations/devices/driver.js'
import { reported } from '../reported.js'

/** How often a step that works on a device says it is alive; a cancellation reaches it with the answer to one. */
const HEARTBEAT_MS = 3_000

/** The running activity's context; undefined outside an activity (tests call activities directly). */
function activityContext(): Context | undefined {
  try {
    return Context.current()
  } catch {
    return undefined
  }
}

/**
 * A DCIM device as the configured driver reaches it (its management address, the login by reference), stopped by
 * the activity's cancellation. A management address outside LOOM_MANAGEMENT_PREFIXES fails the step at once.
 */
export async function deviceTarget(dcim: Dcim, access: DeviceAccessConfig, name: string): Promise<DeviceTarget> {
  const device = await reported(dcim.device(name))
  const target = await reported(Promise.resolve().then(() => targetOf(device, access)))
  return { ...target, signal: activityContext()?.cancellationSignal }
}

/**
 * Runs `work`, heartbeating every few seconds meanwhile (while connecting, applying, waiting for a verification):
 * so that the workflow's heartbeat timeout notices a worker that died, and so that a cancellation — delivered
 * with a heartbeat's answer — reaches the device call through its target's signal.
 */
export async function heartbeating<T>(details: string, work: () => Promise<T>): Promise<T> {
  const context = activityContext()
  if (!context) return work()
  context.heartbeat(details)
  const timer = setInterval(() => context.heartbeat(details), HEARTBEAT_MS)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}
