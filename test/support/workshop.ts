// The workshop network built through the API, as a user would: nodes enrolled by create_node, ports reserved by
// create_port. With the manual driver, each configuration step is confirmed as a person would.
import assert from 'node:assert/strict'
import type { ProcessDto, ProcessStartedDto } from '#contracts/index.js'
import type { ApiClient } from './api.js'
import { as } from './api.js'

/** Answers an input step that waits for a configuration to be applied, if the process stops at one. */
async function confirmIfAsked(api: ApiClient, id: string): Promise<ProcessDto> {
  const p = await api.waitForProcess(id, (p) => p.pending_input !== null || p.completed_at !== null, 60_000)
  if (p.pending_input) {
    const answered = await api.call('PUT', `/api/processes/${id}/resume`, { confirm_config_applied: true }, as('noc-engineer'))
    assert.equal(answered.status, 200, JSON.stringify(answered.body))
  }
  return api.waitForProcess(id, (p) => p.completed_at !== null, 60_000)
}

/** Starts a workflow and runs it to its end (confirming configuration when asked); fails unless it completes. */
export async function runToCompletion(api: ApiClient, workflow: string, input: Record<string, unknown>, user = 'alice'): Promise<ProcessDto> {
  const started = await api.call<ProcessStartedDto>('POST', `/api/processes/${workflow}`, input, as(user))
  assert.equal(started.status, 201, `${workflow}: ${JSON.stringify(started.body)}`)
  const done = await confirmIfAsked(api, started.body.id)
  assert.equal(done.status, 'completed', `${workflow} ended ${done.status}: ${JSON.stringify(done.failure ?? done.steps.filter((s) => s.error))}`)
  return done
}

/** Enrols a planned router; returns its node subscription id. */
export async function enrolNode(api: ApiClient, router: string): Promise<string> {
  return (await runToCompletion(api, 'create_node', { router })).subscription_ids[0]
}

/** Reserves an interface of a node as a port; returns the port subscription id. */
export async function reservePort(api: ApiClient, node: string, port_name: string, speed = '10G'): Promise<string> {
  return (await runToCompletion(api, 'create_port', { node, speed, port_name, port_description: `core port ${port_name}` })).subscription_ids[0]
}
