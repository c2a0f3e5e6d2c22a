import { z } from 'zod'
import type { WorkflowStepDto } from '#contracts/index.js'
import { compensationName, type EngineStep } from '#workflows/engine/declaration.js'

/** A declared step list as the API shows it: kinds, who answers, answer forms, nested groups and compensations. */
export function describeSteps(steps: readonly EngineStep[]): WorkflowStepDto[] {
  return steps.map((s) => {
    const base: WorkflowStepDto = { name: s.name, label: s.label, kind: s.kind }
    switch (s.kind) {
      case 'step':
      case 'retry':
        return {
          ...base,
          ...(s.kind === 'retry' ? { retry: { every: String(s.every), for: String(s.for) } } : {}),
          ...(s.compensate ? { compensation: { name: compensationName(s.name), label: s.compensate.label } } : {}),
          ...(s.kind === 'step' && s.irreversible ? { irreversible: true } : {}),
        }
      case 'input':
        return { ...base, assignee: s.assignee, form: z.toJSONSchema(s.answer, { io: 'input' }) }
      case 'approval':
        return {
          ...base,
          assignee: s.role,
          form: z.toJSONSchema(s.answer, { io: 'input' }),
          approval: { role: s.role, self_approval: s.self_approval, expires_after: s.expires_after === undefined ? null : String(s.expires_after), on_expiry: s.on_expiry },
        }
      case 'callback':
        return { ...base, form: z.toJSONSchema(s.answer, { io: 'input' }), callback: { timeout: String(s.timeout), on_timeout: s.on_timeout } }
      case 'conditional':
        return { ...base, steps: describeSteps(s.steps) }
      case 'parallel':
        return { ...base, branches: Object.fromEntries(Object.entries(s.branches).map(([name, branch]) => [name, describeSteps(branch)])) }
      case 'sub_workflow':
        return { ...base, workflow: s.workflow.name }
      case 'fan_out':
        return { ...base, workflow: s.workflow.name, ...(s.compensate ? { compensation: { name: compensationName(s.name), label: s.compensate.label } } : {}) }
    }
  })
}
