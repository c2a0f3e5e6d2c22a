// The drain_node and restore_node forms, declared once (gateway: JSON Schema and validation).
import { z } from 'zod'
import { type Choice, subscriptionChoice } from '../shared/forms.js'

const nodePage = (title: string) => (nodes: readonly Choice[]) => z.object({ subscription_id: subscriptionChoice('Node', 'an active node', nodes) }).strict().meta({ title })

export const drainNodePage = nodePage('Drain node: every circuit to maintenance')
export type DrainNodeInput = z.output<ReturnType<typeof drainNodePage>>

export const restoreNodePage = nodePage('Restore node: its drained circuits back to normal')
export type RestoreNodeInput = z.output<ReturnType<typeof restoreNodePage>>
