import { Inject, Injectable, Logger } from '@nestjs/common'
import { ApplicationFailure } from '@temporalio/activity'
import type { DeviceAccessConfig } from '#config/index.js'
import { DCIM, type Dcim } from '#integrations/dcim/dcim.js'
import { DEVICE_ACCESS, deviceAccessWarnings } from '#integrations/devices/device-access.js'
import { type ApplyResult, type CheckResult, DEVICE_DRIVER, type DeviceDriver, type DeviceTarget, type VerifyExpectation, type VerifyResult } from '#integrations/devices/driver.js'
import { reported } from '../reported.js'
import { deviceTarget, heartbeating } from './device-target.js'
import type { StepContext } from '../processes/step-context.js'
import { StepLog } from '../processes/step-log.js'

/** Each warning about how devices are reached, once per worker process. */
const warned = new Set<string>()

/**
 * Configuration steps for workflows, through the configured driver (manual, frr or simulator). Workflows pass
 * a device's name and the rendered text; the login is resolved here, from the worker's configuration, so no
 * credential ever enters a workflow's history. Each step is idempotent by (process, step); applyConfig keeps
 * the configuration it replaced under a backup named after the step, which revertConfig — its inverse — puts back.
 */
@Injectable()
export class DeviceActivities {
  constructor(
    private readonly steps: StepLog,
    @Inject(DEVICE_DRIVER) private readonly driver: DeviceDriver,
    @Inject(DCIM) private readonly dcim: Dcim,
    @Inject(DEVICE_ACCESS) private readonly access: DeviceAccessConfig,
  ) {
    // Made once, when the worker starts: what it says about weak device access is said at its start.
    for (const warning of deviceAccessWarnings(access)) {
      if (warned.has(warning)) continue
      warned.add(warning)
      new Logger('Devices').warn(warning)
    }
  }

  /** A syntax check on the device; a refusal fails the step at once with the device's words. */
  async checkConfig(input: StepContext & { device: string; config: string }): Promise<CheckResult> {
    return this.steps.onceOutside(input, () => heartbeating(`checking the configuration of ${input.device}`, async () => {
      const result = await reported(this.driver.check(await this.targetFor(input.device), input.config))
      if (!result.ok) throw ApplicationFailure.nonRetryable(`${input.device} refuses the configuration: ${result.errors.join('; ')}`, 'InvalidConfiguration')
      return { result, state_delta: { checked: input.device } }
    }))
  }

  /**
   * Makes `config` the device's configuration and verifies it; a failed verification puts the previous
   * configuration back and fails the step (non-retryable), naming what did not hold.
   */
  async applyConfig(input: StepContext & { device: string; config: string; verify?: VerifyExpectation }): Promise<ApplyResult & { verified: boolean }> {
    return this.steps.onceOutside(input, () => heartbeating(`configuring ${input.device}`, async () => {
      const target = await this.targetFor(input.device)
      const applied = await reported(this.driver.apply(target, input.config, backupIdOf(input)))
      let verified = false
      if (input.verify && !applied.needs_confirmation) {
        let check: VerifyResult
        try {
          check = await reported(this.driver.verify(target, input.verify))
        } catch (error) {
          // Cancelled after the change was made: the step does not complete, so no compensation will undo it — this does.
          if (target.signal?.aborted && applied.backup) await reported(this.driver.rollback({ ...target, signal: undefined }, applied.backup))
          throw error
        }
        if (!check.ok) {
          if (applied.backup) await reported(this.driver.rollback(target, applied.backup))
          throw ApplicationFailure.nonRetryable(`${input.device} failed verification and was rolled back: ${check.failures.join('; ')}`, 'VerificationFailed')
        }
        verified = true
      }
      return { result: { ...applied, verified }, state_delta: { [`config_${input.device}`]: applied.changed ? 'changed' : applied.needs_confirmation ? 'awaiting confirmation' : 'unchanged' } }
    }))
  }

  /** The inverse of applyConfig: the configuration kept under its backup goes back on the device. */
  async revertConfig(input: StepContext & { device: string; backup: string }): Promise<{ reverted: string }> {
    return this.steps.onceOutside(input, () => heartbeating(`reverting ${input.device}`, async () => {
      await reported(this.driver.rollback(await this.targetFor(input.device), input.backup))
      return { result: { reverted: input.backup }, state_delta: { [`config_${input.device}`]: 'reverted' } }
    }))
  }

  // A function, not a method: every method of an activity class becomes an activity.
  private readonly targetFor = (name: string): Promise<DeviceTarget> => deviceTarget(this.dcim, this.access, name)
}

/** Named after the step that made it: a retry of the step finds and keeps the same backup. */
const backupIdOf = (ctx: StepContext) => `${ctx.process_id}.${ctx.step}`.replace(/[^A-Za-z0-9_.-]/g, '_')
