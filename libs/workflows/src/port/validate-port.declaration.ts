// Checks a port against DCIM, like validate_node for a node: the API locked it at the start; it ends in sync when
// its interface exists and is described and enabled as the model says, and failed — naming each difference, the
// subscription left out of sync — when not.
import { declareWorkflow } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { VALIDATE_PORT } from '../names.js'
import type { ValidatePortInput } from './port-change.forms.js'
import { livePortFlow, portInterfaceProblems } from './port-steps.js'

export const validatePortDeclaration = declareWorkflow(
  {
    name: VALIDATE_PORT,
    target: 'VALIDATE',
    product: 'port',
    description: 'Check a port against DCIM: its interface exists, is described and enabled as the model says (and active while the port is); in sync when they agree',
  },
  livePortFlow<ValidatePortInput>().step('check_dcim_interface', 'Compare the port with its DCIM interface', async (s, { act, step }) => {
    const [found] = await act.readInterfaces({ ...step, refs: [s.ref] })
    const problems = portInterfaceProblems(s.port, s.port_lifecycle, s.ref, found)
    if (problems.length) failProcess(`port ${s.subscription_id} is out of sync: ${problems.join('; ')}`)
    return { problems }
  }),
  (s) => ({ subscription_id: s.subscription_id, interface: `${s.ref.device} ${s.ref.interface}`, problems: s.problems }),
)
