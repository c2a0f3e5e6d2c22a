// Ends a port: approved by the change board (never by whoever asked), refused while a live circuit uses it (at the
// start by the API, and again when the subscription is terminated). The interface goes back to DCIM as create_port
// found it — no description, disabled, planned — and a cable a terminated circuit left on it is unplugged (a person
// confirms) and removed from DCIM. Terminated, the port's claim on the interface is released: create_port offers it again.
import { declareWorkflow } from '../engine/declaration.js'
import { setStatusTerminated } from '../shared/subscription-steps.js'
import { TERMINATE_PORT } from '../names.js'
import { CHANGE_BOARD, CHANGE_BOARD_EXPIRY, changeBoardApproval } from '../shared/change-board.js'
import { confirmCableRemoved, type TerminatePortInput } from './port-change.forms.js'
import { livePortFlow } from './port-steps.js'

export const terminatePortDeclaration = declareWorkflow(
  {
    name: TERMINATE_PORT,
    target: 'TERMINATE',
    product: 'port',
    description:
      'End a port no circuit uses, after the change board approves: give its interface back in DCIM (no description, disabled, planned), have a cable left on it unplugged and removed, and terminate the subscription (the interface is offered again)',
  },
  livePortFlow<TerminatePortInput>()
    .approval('approve_termination', 'The change board approves the termination', changeBoardApproval, {
      role: CHANGE_BOARD,
      self_approval: false,
      expires_after: CHANGE_BOARD_EXPIRY,
      on_expiry: 'abort',
      data: (s) => ({ port: s.subscription_id, interface: `${s.ref.device} ${s.ref.interface}`, description: s.port.port_description ?? '' }),
    })
    .step(
      'update_interface',
      'Give the interface back in DCIM: no description, disabled, planned',
      async (s, { act, step }) => {
        const { interface: after, previous } = await act.updateInterface({ ...step, ref: s.ref, patch: { description: '', enabled: false, status: 'planned' } })
        return { previous_interface: previous, cable: after.cable }
      },
      { compensate: { label: 'Put the interface back as it was', run: (s, { act, step }) => act.updateInterface({ ...step, ref: s.ref, patch: s.previous_interface }) } },
    )
    .when(
      'cable_on_interface',
      'When a cable is still on the interface (a terminated circuit leaves it, decommissioning)',
      (s) => s.cable !== null,
      (cabled) =>
        cabled
          .input('confirm_cable_removed', 'Show the cable to unplug; wait until it is', confirmCableRemoved, {
            assignee: 'noc',
            data: (s) => ({ cable: s.cable!.id, status: s.cable!.status, from: `${s.ref.device} ${s.ref.interface}`, to: `${s.cable!.peer.device} ${s.cable!.peer.interface}` }),
          })
          // No inverse: the cable is unplugged (a person said so), and DCIM says what is there.
          .step('remove_cable', 'Remove the unplugged cable from DCIM', async (s, { act, step }) => {
            const { deleted } = await act.deleteCable({ ...step, cable_id: s.cable!.id })
            return { cable_removed: deleted }
          }),
    )
    .pipe(setStatusTerminated('Terminate the subscription (its interface is offered again)')),
  (s) => ({ subscription_id: s.subscription_id, lifecycle: s.lifecycle, interface: `${s.ref.device} ${s.ref.interface}`, cable_removed: s.cable_removed ?? false }),
)
