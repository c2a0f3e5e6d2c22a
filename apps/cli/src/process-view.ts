// A process as people read it on a terminal: its record, its steps with a mark each, and — when it stopped for
// someone — what to run to go on. Pure text, so that tests read what is printed.
import type { ProcessDto, ProcessStepDto } from '#contracts/index.js'
import { EXIT, fields } from './output.js'

const MARKS: Record<string, string> = { success: '✓', skipped: '·', failed: '✗', waiting: '?', running: '▶', pending: ' ' }

/** `  ✓ create_subscription`, `  ✗ push_config: the device refused…` */
export function stepLine(s: ProcessStepDto): string {
  const error = (s.error as { message?: string } | null)?.message
  const note = s.status === 'skipped' ? ' (skipped)' : s.status === 'failed' && error ? `: ${error}` : s.answered_by ? ` (answered by ${s.answered_by})` : ''
  return `  ${MARKS[s.status] ?? '-'} ${s.name}${s.kind === 'compensation' ? ' (undo)' : ''}${note}`
}

/** The whole process: its record, then its steps. */
export function processText(p: ProcessDto): string {
  const failure = (p.failure as { message?: string } | null)?.message ?? (p.failure ? JSON.stringify(p.failure) : null)
  const record = {
    id: p.id,
    workflow: `${p.workflow} (${p.target})`,
    status: p.paused ? `${p.status} (engine paused)` : p.status,
    created_by: p.created_by,
    assignee: p.assignee,
    subscriptions: p.subscription_ids.join(', ') || null,
    created_at: p.created_at,
    completed_at: p.completed_at,
    current_step: p.current_step,
    failure,
    temporal_ui: p.temporal_ui_url,
  }
  return [fields(record), 'steps:', ...p.steps.map(stepLine)].join('\n')
}

/** Whether following is over, and with which exit code: 0 completed, 3 waiting or suspended, 4 failed or aborted. */
export function exitCodeOf(p: Pick<ProcessDto, 'status' | 'completed_at'>): number {
  if (p.status === 'completed') return EXIT.ok
  if (p.completed_at) return EXIT.failed
  return EXIT.waiting
}

/** Why the process stopped, in a line. */
export function outcomeLine(p: ProcessDto): string {
  const failure = (p.failure as { message?: string } | null)?.message
  if (p.status === 'waiting' && p.pending_input) {
    const { step, kind, label, assignee } = p.pending_input
    return `waiting: ${step} (${kind === 'approval' ? `an approval${assignee ? ` by ${assignee}` : ''}` : 'input'}): ${label}`
  }
  if (p.status === 'suspended') return `suspended: ${p.suspended.map((s) => `${s.step} failed: ${s.error.message}`).join('; ') || 'a step failed'}`
  return `${p.status}${failure ? `: ${failure}` : ''}`
}

/** What to run to answer a waiting process or retry/abort a suspended one, with this CLI's own name. */
export function goOnLines(p: ProcessDto, cli: string): string[] {
  if (p.status === 'waiting' && p.pending_input) {
    const { form, kind } = p.pending_input
    if (kind === 'approval') return ['To approve:', `  ${cli} process resume ${p.id} --approve`, 'To reject:', `  ${cli} process resume ${p.id} --reject`]
    const properties = (form.properties ?? {}) as Record<string, { const?: unknown; type?: string; title?: string }>
    const example = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, 'const' in s ? s.const : `<${s.type ?? 'value'}>`]))
    return [`To answer (the form: ${cli} process get ${p.id} --json → pending_input.form):`, `  ${cli} process resume ${p.id} --data '${JSON.stringify(example)}'`]
  }
  if (p.status === 'suspended') return ['To retry the failed step:', `  ${cli} process resume ${p.id}`, 'To give up (compensations run):', `  ${cli} process abort ${p.id}`]
  return []
}
