// The forms of the fleet tasks, declared once: the seed's filters (filter_sites, filter_dev_types) and Loom's
// staged-rollout options, all optional with the seed's behaviour as the default; task_upgrade_os adds the version.
import { z } from 'zod'
import { DEVICE_ROLES } from '#domain/index.js'
import { DEFAULT_FLEET_POLICY, FLEET_POLICY_NAMES } from '#domain/fleet/rollout.js'

const name = z.string().trim().min(1).max(100)

/** What every fleet task takes: which devices, and how the rollout goes. */
const rollout = {
    filter_sites: z.array(name).min(1).max(1000).optional().meta({ title: 'Sites', description: 'only devices at these sites (default: all)', examples: [['earth']] }),
    filter_dev_types: z
      .array(z.enum(DEVICE_ROLES))
      .min(1)
      .optional()
      .meta({ title: 'Device types', description: 'only devices of these types (default: all)', examples: [['spine']] }),
    policy: z
      .enum(FLEET_POLICY_NAMES)
      .default(DEFAULT_FLEET_POLICY)
      .meta({ title: 'Policy', description: 'dc-aware: one device at a time per site and type (edge, spine) or rack (leaf), the first failure skips the rest of its group; parallel: every device on its own' }),
    concurrency: z.number().int().min(1).max(1000).default(100).meta({ title: 'Concurrency', description: 'groups worked on at once' }),
    max_down_per_site: z.number().int().min(1).optional().meta({ title: 'Devices down per site', description: 'at most this many devices of a site changed at once (default: no limit)' }),
    canary: z
      .object({
        devices: z.number().int().min(1).max(1000).meta({ description: 'devices done first, one per group, spread over the sites' }),
        soak_seconds: z.number().int().min(1).max(604_800).optional().meta({ description: 'then wait this long and go on; without it, wait for the change board to approve' }),
      })
      .strict()
      .optional()
      .meta({ title: 'Canary wave', description: 'a few devices first; any failure among them halts the task' }),
    halt_failure_rate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .meta({ title: 'Halt at failure rate', description: 'suspend the task when more than this share of the devices done so far failed (resume goes on, abort stops)' }),
    halt_min_devices: z.number().int().min(1).default(10).meta({ title: 'Halt after', description: 'the failure rate counts once this many devices were done' }),
}

export const upgradeOsPage = z
  .object({
    version: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/, 'expected a version such as 5.3.1')
      .meta({ title: 'Version', description: 'the OS version every selected device should run', examples: ['5.3.1'] }),
    ...rollout,
  })
  .strict()
  .meta({ title: 'Upgrade the OS of the fleet' })

export type UpgradeOsInput = z.output<typeof upgradeOsPage>

export const deployConfigPage = z.object(rollout).strict().meta({ title: "Deploy the configuration the nodes' models render" })
export type DeployConfigInput = z.output<typeof deployConfigPage>

/** What the rollout options of either form parse to. */
export type RolloutInput = DeployConfigInput
