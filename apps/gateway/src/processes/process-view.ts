import type { ProcessDto, ProcessStepDto, ProcessSummaryDto } from '#contracts/index.js'
import type { Prisma } from '#persistence/index.js'
import { compensationName, type EngineStep } from '#workflows/engine/declaration.js'
import type { LiveProcessState } from '#workflows/engine/messages.js'
import { iso } from '../http/json.js'

/** A process row with its subscription ids, and its steps when they were loaded. */
export type ProcessRow = Prisma.ProcessGetPayload<{ include: { subscriptions: { select: { subscriptionId: true } } } }> & {
  steps?: Prisma.ProcessStepGetPayload<object>[]
}

export function toProcessSummary(row: ProcessRow): ProcessSummaryDto {
  return {
    id: row.id,
    workflow: row.workflow,
    target: row.target,
    status: row.status,
    created_by: row.createdBy,
    tenant_id: row.tenantId,
    assignee: row.assignee,
    parent_id: row.parentId,
    subscription_ids: row.subscriptions.map((s) => s.subscriptionId),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    completed_at: iso(row.completedAt),
  }
}

/**
 * The permanent log merged with the workflow's live view: every declared step in order (group members after
 * their group), those not reached yet pending; then the compensations an abort ran.
 */
export function toProcessDto(row: ProcessRow, order: { step: EngineStep; compensation: boolean }[], live: LiveProcessState | null, temporalUiUrl: string | null): Omit<ProcessDto, 'workflow_error' | 'fleet'> {
  const logged = new Map((row.steps ?? []).map((s) => [s.name, s]))
  const steps: ProcessStepDto[] = order.flatMap(({ step: d, compensation }) => {
    const name = compensation ? compensationName(d.name) : d.name
    const s = logged.get(name)
    if (compensation && !s) return []
    const label = compensation && 'compensate' in d && d.compensate ? d.compensate.label : d.label
    return [
      {
        name,
        label,
        kind: compensation ? 'compensation' : d.kind,
        status: s?.status ?? 'pending',
        started_at: iso(s?.startedAt ?? null),
        completed_at: iso(s?.completedAt ?? null),
        attempts: s?.attempts ?? 0,
        answered_by: s?.answeredBy ?? null,
        state_delta: s?.stateDelta ?? null,
        error: s?.error ?? null,
      },
    ]
  })
  // The log says "waiting" until the step after the answer is written; the workflow knows sooner.
  const status = row.status === 'waiting' && live && !live.pending_input ? 'running' : row.status
  return {
    ...toProcessSummary(row),
    status,
    failure: row.failure ?? null,
    current_step: live?.current_step ?? null,
    current_steps: live?.current_steps ?? [],
    pending_input: live?.pending_input ?? null,
    awaiting_callback: live?.awaiting_callback ?? [],
    suspended: live?.suspended ?? [],
    paused: live?.paused ?? false,
    state: live?.state ?? null,
    steps,
    temporal_ui_url: temporalUiUrl,
  }
}
