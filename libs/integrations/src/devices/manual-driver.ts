// Configuration applied by a person: the workflow shows the rendered text in an input step and the person
// confirms it was applied (the seed's provide_config_to_user). Nothing here can look at the device.
import type { ApplyResult, CheckResult, DeviceDriver, DeviceTarget, VerifyResult } from './driver.js'

export class ManualDriver implements DeviceDriver {
  readonly name = 'manual'
  /** A person applies the configuration: nothing here sees what the device runs. */
  readonly readsRunningConfig = false

  check(): Promise<CheckResult> {
    return Promise.resolve({ ok: true, errors: [] })
  }

  /** Without access to the device, all of the configuration is what a person must apply. */
  diff(_target: DeviceTarget, config: string): Promise<string> {
    return Promise.resolve(config)
  }

  apply(_target: DeviceTarget, config: string): Promise<ApplyResult> {
    return Promise.resolve({ changed: false, diff: config, backup: null, needs_confirmation: true })
  }

  /** The person's confirmation is the verification. */
  verify(): Promise<VerifyResult> {
    return Promise.resolve({ ok: true, failures: [] })
  }

  /** A person rolls back by hand, as they applied. */
  rollback(): Promise<void> {
    return Promise.resolve()
  }
}
