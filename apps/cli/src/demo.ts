// `loom demo`: seed 002's story through the API, as a user would tell it — enrol the routers (create_node),
// reserve their ports (create_port), join them in a ring of circuits (create_circuit, drained), bring the
// circuits into service (modify_circuit_mode → normal), check the nodes (validate_node), drain the first router
// for maintenance and restore it (drain_node, restore_node: a sub-process per circuit), and take one circuit out
// of service (terminate_circuit, approved by the change board). Each process's steps are printed as they
// complete; configuration a person must apply (the manual driver) is shown and confirmed, as the NOC would.
// What exists already (a node enrolled by an earlier run) is reused, so the demo can run again.

interface Step {
  name: string
  status: string
  error?: { message?: string } | null
  state_delta?: Record<string, unknown> | null
}
interface PendingInput {
  step: string
  kind?: string
  data?: Record<string, unknown>
  form?: { required?: string[]; properties?: Record<string, { const?: unknown }> }
}
interface Process {
  id: string
  workflow: string
  status: string
  completed_at: string | null
  subscription_ids: string[]
  pending_input: PendingInput | null
  steps: Step[]
  failure?: { message?: string } | null
}

export interface DemoOptions {
  routers: string[]
  /** where routers are cabled already (a lab): the interface of `router` that links to `peer` */
  linkPort?: (router: string, peer: string) => string
  /** prints the configuration a person would apply */
  verbose: boolean
  say: (line: string) => void
  /** the API key the demo acts with; approvals need another person, for whom it makes (and then revokes) a key */
  apiKey: string
}

export class DemoError extends Error {}

/** Who approves terminations for the demo: the change board, never the person who started them. */
const APPROVER = { owner: 'demo-change-board', roles: ['change-board'] }

export async function runDemo(api: string, options: DemoOptions): Promise<{ nodes: string[]; circuits: string[] }> {
  const { say } = options
  const call = async <T>(method: string, path: string, body?: unknown, key = options.apiKey): Promise<{ status: number; body: T }> => {
    const res = await fetch(new URL(path, api), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), authorization: `Bearer ${key}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((e: Error) => {
      throw new DemoError(`cannot reach ${api}: ${e.message}`)
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
  }

  /** Starts a workflow and follows it to its end, printing each step as it completes and answering what waits. */
  const run = async (workflow: string, input: Record<string, unknown>, what: string): Promise<Process> => {
    const started = await call<{ id: string; detail?: string; errors?: { path: string; message: string }[] }>('POST', `/api/processes/${workflow}`, input)
    if (started.status !== 201) throw new DemoError(`${workflow} (${what}) was refused: ${started.status} ${started.body.detail ?? ''} ${JSON.stringify(started.body.errors ?? '')}`.trim())
    say(`▶ ${workflow}: ${what}   (process ${started.body.id})`)
    const shown = new Set<string>()
    const answered = new Set<string>()
    const endedChildren = new Set<string>()
    /** Answers what a process waits for, once per step. */
    const answer = async (p: Process, indentBy: string) => {
      const pending = p.pending_input
      if (!pending || answered.has(`${p.id}:${pending.step}`)) return
      answered.add(`${p.id}:${pending.step}`)
      const value = answerFor(pending)
      if (options.verbose && pending.data) say(indent(JSON.stringify(pending.data, null, 2)))
      say(`${indentBy}? ${pending.step}: answered ${JSON.stringify(value)}`)
      const res = await call<{ detail?: string }>('PUT', `/api/processes/${p.id}/resume`, value, pending.kind === 'approval' ? await approverKey() : options.apiKey)
      if (res.status !== 200) throw new DemoError(`answering ${pending.step} failed: ${res.status} ${res.body.detail ?? ''}`)
    }
    for (;;) {
      // Sub-processes (a drain's, one per circuit) wait for the same confirmations; each is named when it ends,
      // before the steps of the parent that follow it.
      const { body: children } = await call<{ items: Pick<Process, 'id' | 'workflow' | 'status' | 'completed_at' | 'subscription_ids'>[] }>('GET', `/api/processes?parent_id=${started.body.id}&limit=100`)
      const { body: p } = await call<Process>('GET', `/api/processes/${started.body.id}`)
      for (const child of children.items) {
        if (child.completed_at && !endedChildren.has(child.id)) {
          endedChildren.add(child.id)
          say(`    ↳ ${child.workflow} ${child.subscription_ids.join(', ')}: ${child.status}   (process ${child.id})`)
        } else if (child.status === 'waiting') await answer((await call<Process>('GET', `/api/processes/${child.id}`)).body, '    ')
        else if (child.status === 'suspended') {
          const { body: stuck } = await call<Process>('GET', `/api/processes/${child.id}`)
          throw new DemoError(`${child.workflow} ${child.subscription_ids.join(', ')}, a sub-process of ${workflow} (${what}), is suspended: ${stuck.failure?.message ?? ''}; see /api/processes/${child.id}`)
        }
      }
      for (const s of p.steps) {
        if (['success', 'skipped'].includes(s.status) && !shown.has(s.name)) {
          shown.add(s.name)
          say(`  ${s.status === 'success' ? '✓' : '·'} ${s.name}${s.status === 'skipped' ? ' (skipped)' : ''}`)
        }
      }
      if (p.completed_at) {
        if (p.status !== 'completed') throw new DemoError(`${workflow} (${what}) ended ${p.status}: ${p.failure?.message ?? ''}`)
        return p
      }
      if (p.status === 'suspended') throw new DemoError(`${workflow} (${what}) is suspended: ${p.failure?.message ?? ''}; see /api/processes/${p.id}`)
      await answer(p, '  ')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  let approver: { id: string; key: string } | undefined
  const approverKey = async () => {
    if (approver) return approver.key
    const made = await call<{ id: string; key: string; detail?: string }>('POST', '/api/auth/keys', { name: 'loom demo: the change board approves', ...APPROVER })
    if (made.status !== 201) throw new DemoError(`the demo needs a key for the change board, which only an administrator may make: ${made.status} ${made.body.detail ?? ''}`)
    approver = made.body
    return approver.key
  }

  const activeNodeOf = async (router: string): Promise<string | undefined> => {
    const { body } = await call<{ items: { id: string; description: string; lifecycle: string }[] }>('GET', `/api/subscriptions?product=node&lifecycle=active&q=${encodeURIComponent(router)}`)
    return body.items.find((s) => s.description.startsWith(`Node ${router} `))?.id
  }

  const nodes: string[] = []
  for (const router of options.routers) {
    const existing = await activeNodeOf(router)
    if (existing) say(`= node ${router} is enrolled already (${existing})`)
    nodes.push(existing ?? (await run('create_node', { router }, `enrol ${router}`)).subscription_ids[0])
  }

  // A ring: each router to the next (two routers: one circuit).
  const pairs = nodes.length === 2 ? [[0, 1]] : nodes.map((_, i) => [i, (i + 1) % nodes.length])
  const freePort = async (node: string) => {
    const { body } = await call<{ form?: { properties: { port_name: { enum: string[] } } } }>('POST', '/api/workflows/create_port/form', { node, speed: '10G' })
    const port = body.form?.properties.port_name.enum[0]
    if (!port) throw new DemoError(`node ${node} has no free 10G interface left for a port`)
    return port
  }
  /** Port subscriptions no circuit uses yet, per side (what create_circuit's last page offers). */
  const freePorts = async (a: string, b: string) => {
    const { body } = await call<{ form?: { properties: Record<'port_a' | 'port_b', { oneOf: { const: string }[] }> } }>('POST', '/api/workflows/create_circuit/form', { speed: '10G', node_a: a, node_b: b })
    return [body.form?.properties.port_a.oneOf[0]?.const, body.form?.properties.port_b.oneOf[0]?.const]
  }
  const circuits: string[] = []
  for (const [a, b] of pairs) {
    // Cabled routers take the interfaces of their link; otherwise free ports are reused, or made on free interfaces.
    const reusable = options.linkPort ? [] : await freePorts(nodes[a], nodes[b])
    const ports: string[] = []
    for (const [k, i] of [a, b].entries()) {
      if (reusable[k]) {
        ports.push(reusable[k])
        continue
      }
      const port_name = options.linkPort?.(options.routers[i], options.routers[k === 0 ? b : a]) ?? (await freePort(nodes[i]))
      ports.push((await run('create_port', { node: nodes[i], speed: '10G', port_name, port_description: `core link ${options.routers[a]} – ${options.routers[b]}` }, `${options.routers[i]} ${port_name}`)).subscription_ids[0])
    }
    const label = `${options.routers[a]} – ${options.routers[b]}`
    circuits.push((await run('create_circuit', { speed: '10G', node_a: nodes[a], node_b: nodes[b], port_a: ports[0], port_b: ports[1] }, `${label}, in maintenance mode`)).subscription_ids[0])
  }
  for (const [i, circuit] of circuits.entries()) await run('modify_circuit_mode', { subscription_id: circuit, mode: 'normal' }, `circuit ${i + 1} into service`)
  for (const [i, node] of nodes.entries()) await run('validate_node', { subscription_id: node }, `check ${options.routers[i]} against DCIM and IPAM`)
  // Maintenance on the first router: its circuits drained (traffic takes the rest of the ring), then restored.
  const drained = await run('drain_node', { subscription_id: nodes[0] }, `drain ${options.routers[0]}: its circuits to maintenance, one sub-process each`)
  say(`  = ${reportOf(drained)}`)
  const restored = await run('restore_node', { subscription_id: nodes[0] }, `restore ${options.routers[0]}: the drained circuits back to normal`)
  say(`  = ${reportOf(restored)}`)
  await run('terminate_circuit', { subscription_id: circuits[0] }, 'take circuit 1 out of service (the change board approves)')
  say(`done: ${nodes.length} nodes, ${circuits.length} circuits (${circuits.length - 1} in service, 1 terminated). Browse them: ${new URL('/api/subscriptions', api).href}`)
  if (approver) await call('DELETE', `/api/auth/keys/${approver.id}`) // the change board's key was for this run only
  return { nodes, circuits }
}

/**
 * What the demo answers: an approval is approved; an input step gets, for every field its form requires, the
 * one value the form allows (a confirmation such as `confirm_config_applied: true`). Anything else needs a person.
 */
function answerFor(pending: PendingInput): Record<string, unknown> {
  if (pending.kind === 'approval') return { approved: true, comment: 'approved by loom demo' }
  const form = pending.form ?? {}
  const answer: Record<string, unknown> = {}
  for (const field of form.required ?? []) {
    const schema = form.properties?.[field]
    if (!schema || !('const' in schema)) throw new DemoError(`${pending.step} asks for ${field}, which the demo cannot answer by itself`)
    answer[field] = schema.const
  }
  return answer
}

/** A drain's or restore's report in a line: how many circuits moved, and any that did not, with the reason. */
function reportOf(p: Process): string {
  const report = (p.steps.find((s) => s.name === 'report')?.state_delta?.report ?? {}) as { moved?: unknown[]; not_moved?: { circuit: string; status: string; reason: string | null }[] }
  const notMoved = (report.not_moved ?? []).map((o) => `${o.circuit} ${o.status}${o.reason ? `: ${o.reason}` : ''}`)
  return `${report.moved?.length ?? 0} circuits moved${notMoved.length ? `; not moved: ${notMoved.join('; ')}` : ''}`
}

const indent = (text: string) => text.split('\n').map((l) => `      ${l}`).join('\n')
