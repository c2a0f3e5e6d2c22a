// The activities a custom workflow may call, by a public name, with the fields each takes and returns. Only
// idempotent activities (keyed by process and step) are listed: a definition cannot call anything else.
import { z } from 'zod'
import type { DcimActivities } from '#activities/dcim/dcim.activities.js'
import type { IpamActivities } from '#activities/ipam/ipam.activities.js'
import type { ChangeTicketActivities } from '#activities/oss/change-ticket.activities.js'
import type { NotificationActivities } from '#activities/oss/notification.activities.js'
import type { SystemActivities } from '#activities/system/system.activities.js'
import { DEVICE_STATUSES } from '#domain/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import type { ProcessArgs } from '../engine/declaration.js'

export type CustomActivities = ActivityInterface<IpamActivities> &
  ActivityInterface<DcimActivities> &
  ActivityInterface<NotificationActivities> &
  ActivityInterface<ChangeTicketActivities> &
  ActivityInterface<SystemActivities>

export interface ActionEntry {
  activity: keyof CustomActivities
  description: string
  /** the fields a step's `with` gives (the step's identity is added by the interpreter) */
  input: z.ZodObject
  /** what the step adds under its name: `$ref steps.<step>.<field>` reads these fields */
  output: z.ZodObject
  /** fields the process gives, not the definition: what a custom process owns is keyed by its own id */
  implicit?: (args: ProcessArgs) => Record<string, unknown>
}

const owned = (args: ProcessArgs) => ({ subscription_id: args.subscription_id })
const purpose = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be snake_case')
const allocation = z.object({ id: z.string(), pool: z.string(), prefix: z.string(), subscription_id: z.string(), purpose: z.string(), description: z.string(), created_at: z.string() })
const ticket = z.object({ status: z.string(), ticket_id: z.string().nullable(), outcome: z.string().optional(), reason: z.string().optional() })

export const ACTIONS = {
  'ipam.allocate_address': {
    activity: 'allocateAddress',
    description: 'Take the next free single address of an IPAM pool, owned by this process under `purpose`',
    input: z.object({ pool: z.string().min(1), purpose, description: z.string().max(200).optional() }).strict(),
    output: allocation,
    implicit: owned,
  },
  'ipam.allocate_prefix': {
    activity: 'allocatePrefix',
    description: 'Take the next free prefix of `length` of an IPAM pool, owned by this process under `purpose`',
    input: z.object({ pool: z.string().min(1), purpose, length: z.number().int().min(1).max(128), description: z.string().max(200).optional() }).strict(),
    output: allocation,
    implicit: owned,
  },
  'ipam.release_allocation': {
    activity: 'releaseAllocation',
    description: 'Give back what this process holds under `purpose` (nothing held is not an error)',
    input: z.object({ purpose }).strict(),
    output: z.object({ released: z.string().nullable() }),
    implicit: owned,
  },
  'dcim.read_device': {
    activity: 'readDevice',
    description: 'Read a DCIM device: role, vendor, platform, site, status',
    input: z.object({ device_name: z.string().min(1) }).strict(),
    output: z.object({ name: z.string(), role: z.string(), vendor: z.string(), platform: z.string(), site: z.string(), status: z.enum(DEVICE_STATUSES) }),
  },
  'dcim.set_device_status': {
    activity: 'setDeviceStatus',
    description: "Set a DCIM device's status; answers the status it had",
    input: z.object({ device_name: z.string().min(1), status: z.enum(DEVICE_STATUSES) }).strict(),
    output: z.object({ status: z.enum(DEVICE_STATUSES), previous: z.enum(DEVICE_STATUSES) }),
  },
  'notify.send': {
    activity: 'sendNotification',
    description: 'Send a notification (a template, to addresses) by the configured channel; skipped when none is configured',
    input: z
      .object({
        // A custom workflow has no template of its own name: the generic notice unless the definition names one.
        template: z.string().min(1).default('process_notice'),
        to: z.array(z.string().min(1)).min(1),
        data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
      })
      .strict(),
    output: z.object({ status: z.string(), channel: z.string().optional(), message_id: z.string().optional(), to: z.array(z.string()).optional(), subject: z.string(), reason: z.string().optional() }),
    implicit: owned,
  },
  'tickets.open': {
    activity: 'openChangeTicket',
    description: 'Open a change ticket in the configured ticket system; skipped when none is configured',
    input: z.object({ summary: z.string().min(1).max(500) }).strict(),
    output: ticket,
    implicit: owned,
  },
  'tickets.update': {
    activity: 'updateChangeTicket',
    description: 'Add to the change ticket a tickets.open step opened (`ticket`: its result)',
    input: z.object({ summary: z.string().min(1).max(500), ticket }).strict(),
    output: ticket,
    implicit: owned,
  },
  'tickets.close': {
    activity: 'closeChangeTicket',
    description: 'Close the change ticket a tickets.open step opened, as completed or cancelled',
    input: z.object({ summary: z.string().min(1).max(500), ticket, outcome: z.enum(['completed', 'cancelled']) }).strict(),
    output: ticket,
    implicit: owned,
  },
  'system.check_database': {
    activity: 'checkDatabase',
    description: "Check that Loom's database answers",
    input: z.object({}).strict(),
    output: z.object({ database: z.string(), server_version: z.string(), latency_ms: z.number(), worker_pid: z.number() }),
  },
} satisfies Record<string, ActionEntry>

export type ActionName = keyof typeof ACTIONS

export function actionOf(name: string): ActionEntry | undefined {
  return Object.hasOwn(ACTIONS, name) ? (ACTIONS as Record<string, ActionEntry>)[name] : undefined
}
