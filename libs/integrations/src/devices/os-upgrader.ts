// How the fleet task `upgrade-os` upgrades a device's OS. Activities talk to this, never to a vendor's tooling;
// os-upgrader.contract.ts holds what every implementation must do (the simulator's and a real one alike).

/** A device as the inventory records it. */
export interface FleetDevice {
  name: string
  /** what the inventory says it runs (null: unknown) */
  os_version: string | null
}

export interface UpgradeOutcome {
  /** false when the device already ran `version` */
  changed: boolean
  from_version: string
  version: string
}

export interface OsUpgrader {
  readonly name: string
  /** the version the device runs now */
  version(device: FleetDevice, signal?: AbortSignal): Promise<string>
  /**
   * Upgrades the device to `version`. Idempotent by `requestId`: a second call with the same id while the first runs
   * joins it, after it completes returns its outcome — the device is upgraded once. A device already on `version`
   * completes without change. A device that refuses the upgrade throws DeviceError('operation_failed', …) (not worth
   * retrying); one that cannot be reached throws DeviceError('unreachable', …).
   */
  upgrade(device: FleetDevice, version: string, requestId: string, signal?: AbortSignal): Promise<UpgradeOutcome>
}

export const OS_UPGRADER = Symbol('OsUpgrader')
