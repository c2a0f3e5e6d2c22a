// One interface to every way Loom configures a device: by hand (manual), over SSH to FRR (frr), or a
// simulator for fleet-scale tests and demos. Activities talk to this, never to a vendor's tooling.

/** How to reach a device. Credentials are a reference resolved inside the driver, never the secret itself. */
export interface DeviceTarget {
  /** the DCIM name */
  device: string
  vendor: string
  /** the management address */
  host: string
  port?: number
  username: string
  /** `env:NAME` or `file:/path` (a private key or a password); see credentials.ts */
  credentials: string
  /** a known_hosts file: the device's host key must be one it lists for `host` */
  known_hosts?: string
  /**
   * `known_hosts` (the default): a key known_hosts does not list is refused. `tofu`: a host known_hosts does not
   * list (or all, without one) is trusted on first use — its key recorded per device — and refused when it changes.
   */
  host_keys?: 'known_hosts' | 'tofu'
  /** aborted: stop at once (close the connection), except while a change is being applied — that finishes first */
  signal?: AbortSignal
}

export interface CheckResult {
  ok: boolean
  /** the device's own words, line by line */
  errors: string[]
}

export interface ApplyResult {
  /** false when the device already ran this configuration */
  changed: boolean
  /** what was changed (lines removed and added), empty when nothing */
  diff: string
  /** where the configuration before the change was kept (on the device), for rollback; null when nothing changed */
  backup: string | null
  /** the manual driver: a person applies it and confirms in an input step */
  needs_confirmation: boolean
}

/** What must hold after a change. */
export interface VerifyExpectation {
  /** interfaces that must have an OSPF neighbour in state Full */
  ospf_full_on?: string[]
  /** the OSPF cost each named interface must have, e.g. {eth1: 65535} for a circuit in maintenance */
  ospf_cost?: Record<string, number>
  /** prefixes that must be in the routing table, e.g. a far loopback 10.255.0.3/32 */
  routes?: string[]
  /** how long to wait for all of it (default 20 s) */
  timeout_ms?: number
}

export interface VerifyResult {
  ok: boolean
  failures: string[]
}

export interface DeviceDriver {
  readonly name: 'manual' | 'frr' | 'simulator'
  /** whether `diff` and `verify` look at what the device runs (the manual driver cannot: a person does) */
  readonly readsRunningConfig: boolean
  /** Syntax check only; touches nothing. */
  check(target: DeviceTarget, config: string): Promise<CheckResult>
  /** What applying `config` would change; empty when nothing. */
  diff(target: DeviceTarget, config: string): Promise<string>
  /**
   * Makes `config` the device's whole configuration, after keeping the present one under `backupId` (kept once:
   * a retry with the same id does not overwrite it with what the first attempt already changed).
   */
  apply(target: DeviceTarget, config: string, backupId: string): Promise<ApplyResult>
  verify(target: DeviceTarget, expect: VerifyExpectation): Promise<VerifyResult>
  /** Puts back the configuration kept under `backupId`. */
  rollback(target: DeviceTarget, backupId: string): Promise<void>
}

export const DEVICE_DRIVER = Symbol('DeviceDriver')

/**
 * A device could not be reached, refused a configuration, or failed its verification; or Loom refused to reach
 * it: its host key is not the one known (`host_key`), its management address is outside the configured prefixes; or
 * it refused an operation such as an OS upgrade (`operation_failed`). Only `unreachable` is worth retrying.
 */
export class DeviceError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'invalid_config' | 'verification_failed' | 'credentials' | 'host_key' | 'address_refused' | 'operation_failed',
    message: string,
  ) {
    super(message)
    this.name = {
      unreachable: 'DeviceUnreachable',
      invalid_config: 'InvalidConfiguration',
      verification_failed: 'VerificationFailed',
      credentials: 'Credentials',
      host_key: 'HostKeyMismatch',
      address_refused: 'ManagementAddressRefused',
      operation_failed: 'DeviceOperationFailed',
    }[kind]
  }
}
