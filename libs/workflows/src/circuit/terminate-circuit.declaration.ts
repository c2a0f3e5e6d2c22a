// Ends a circuit: approved by the change board (never by whoever asked), drained first so that traffic has moved
// before anything is removed, then its configuration removed from both routers, the cable decommissioned, the
// subscription terminated (its ports free again) and the link subnets given back to IPAM — last, because a
// released subnet cannot be taken back.
import { CIRCUIT_LINK_PURPOSES } from '#domain/products/circuit/circuit.model.js'
import { declareWorkflow } from '../engine/declaration.js'
import { setStatusTerminated } from '../shared/subscription-steps.js'
import { TERMINATE_CIRCUIT } from '../names.js'
import { CHANGE_BOARD, CHANGE_BOARD_EXPIRY, changeBoardApproval } from '../shared/change-board.js'
import { closeChangeTicket, notify, openChangeTicket, updateChangeTicket } from '../shared/oss-steps.js'
import { confirmConfigRemoved, type TerminateCircuitInput } from './circuit.forms.js'
import { configureSide, sideConfigs, withCircuitAsBefore } from './circuit-steps.js'
import { liveCircuitFlow } from './modify-circuit.declaration.js'

/** The change that gave terminate_circuit its change ticket and confirmation mail: processes started before it skip them. */
const OSS_HOOKS = 'terminate-circuit-oss-hooks'

export const terminateCircuitDeclaration = declareWorkflow(
  {
    name: TERMINATE_CIRCUIT,
    target: 'TERMINATE',
    product: 'circuit',
    description: 'End a circuit after the change board approves: drain it, remove it from both routers, decommission its cable, terminate the subscription and release its link subnets',
    activity: { startToCloseTimeout: '3 minutes', heartbeatTimeout: '30 seconds' },
  },
  liveCircuitFlow<TerminateCircuitInput>()
    .pipe(
      openChangeTicket({
        since: OSS_HOOKS,
        summary: (s) => `Terminate circuit ${s.ends.side_a.device} ${s.ends.side_a.interface} – ${s.ends.side_b.device} ${s.ends.side_b.interface} (${s.subscription_id})`,
      }),
    )
    .approval('approve_termination', 'The change board approves the termination', changeBoardApproval, {
      role: CHANGE_BOARD,
      self_approval: false,
      expires_after: CHANGE_BOARD_EXPIRY,
      on_expiry: 'abort',
      data: (s) => ({ circuit: s.subscription_id, between: `${s.ends.side_a.device} ${s.ends.side_a.interface} – ${s.ends.side_b.device} ${s.ends.side_b.interface}`, mode: s.before.mode }),
    })
    .pipe(
      updateChangeTicket({
        name: 'note_approval',
        since: OSS_HOOKS,
        summary: (s) => `Approved by the change board${s.approve_termination.comment ? ` (${s.approve_termination.comment})` : ''}; draining the circuit`,
      }),
    )
    .step(
      'set_maintenance_mode',
      'Put the circuit in maintenance mode (a new version of the subscription)',
      async (s, { act, step }) => {
        const circuit = { ...s.before, mode: 'maintenance' as const }
        await act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit } })
        return { circuit }
      },
      { compensate: { label: 'Put the circuit back in its mode', run: (s, { act, step }) => act.updateSubscription({ ...step, subscription_id: s.subscription_id, domain_model: { circuit: s.before } }) } },
    )
    .parallel('drain_circuit', 'Drain the circuit on both routers', {
      side_a: (f) => f.step('drain_side_a', 'Drain the A side', async (s, env) => ({ drained_side_a: await configureSide(s, env, 'side_a') }), { compensate: withCircuitAsBefore('side_a') }),
      side_b: (f) => f.step('drain_side_b', 'Drain the B side', async (s, env) => ({ drained_side_b: await configureSide(s, env, 'side_b') }), { compensate: withCircuitAsBefore('side_b') }),
    })
    .parallel('remove_configuration', 'Remove the circuit from both routers', {
      side_a: (f) =>
        f.step('remove_config_side_a', 'Remove the circuit from the A-side router', async (s, env) => ({ removed_side_a: await configureSide(s, env, 'side_a', { [s.subscription_id]: null }) }), {
          compensate: { label: 'Configure the A side again (drained)', run: (s, env) => configureSide(s, env, 'side_a') },
        }),
      side_b: (f) =>
        f.step('remove_config_side_b', 'Remove the circuit from the B-side router', async (s, env) => ({ removed_side_b: await configureSide(s, env, 'side_b', { [s.subscription_id]: null }) }), {
          compensate: { label: 'Configure the B side again (drained)', run: (s, env) => configureSide(s, env, 'side_b') },
        }),
    })
    .when(
      'manual_configuration',
      'When the driver leaves the configuration to a person',
      (s) => s.removed_side_a.needs_confirmation || s.removed_side_b.needs_confirmation,
      (manual) =>
        manual.input('provide_config_to_user', 'Show what to remove from both routers; wait until it is done', confirmConfigRemoved, {
          assignee: 'noc',
          data: (s) => ({ remove: sideConfigs(s.circuit, s.ends) }),
        }),
    )
    .step(
      'decommission_cable',
      'Set the DCIM cable to decommissioning',
      async (s, { act, step }) => {
        await act.setCableStatus({ ...step, cable_id: s.before.cable_id, status: 'decommissioning' })
      },
      { compensate: { label: 'Set the DCIM cable back to connected', run: (s, { act, step }) => act.setCableStatus({ ...step, cable_id: s.before.cable_id, status: 'connected' }) } },
    )
    .pipe(setStatusTerminated('Terminate the subscription (its ports are free again)'))
    .step('release_ips_in_ipam', 'Release the link subnets to IPAM', async (s, { act, step }) => {
      const { released } = await act.releaseAllocations({ ...step, owners: CIRCUIT_LINK_PURPOSES.map((purpose) => ({ subscription_id: s.subscription_id, purpose })) })
      return { released }
    })
    .pipe(notify('send_confirmation_email', { since: OSS_HOOKS, data: (s) => ({ released: s.released.filter(Boolean).join(', ') || 'none' }) }))
    .pipe(closeChangeTicket({ since: OSS_HOOKS, summary: (s) => `Circuit terminated; link subnets released: ${s.released.filter(Boolean).join(', ') || 'none'}` })),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle, released: s.released }),
)
