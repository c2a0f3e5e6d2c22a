// The seed's validate workflow for a node: the gateway locked the subscription at start; it ends in sync when
// the sources of truth agree with it, and out of sync — the process failed, naming each disagreement — when not.
import type { NodeValidationActivities } from '#activities/node/node-validation.activities.js'
import { NODE_PRODUCT } from '#domain/products/node/index.js'
import type { ActivityInterface } from '../engine/activity-interface.js'
import { declareWorkflow, processFlow } from '../engine/declaration.js'
import { failProcess } from '../engine/failure.js'
import { VALIDATE_NODE } from '../names.js'
import type { ValidateNodeInput } from './validate-node.forms.js'

export const validateNodeDeclaration = declareWorkflow(
  {
    name: VALIDATE_NODE,
    target: 'VALIDATE',
    product: NODE_PRODUCT,
    description: 'Check a node subscription against its sources of truth: the DCIM device and the loopbacks IPAM holds for it; in sync when they agree',
  },
  processFlow<ValidateNodeInput, ActivityInterface<NodeValidationActivities>>().step('check_sources_of_truth', 'Compare the node with DCIM and IPAM', async (s, { act, step }) => {
    const { problems } = await act.validateNode({ ...step, subscription_id: s.input.subscription_id })
    if (problems.length) failProcess(`node ${s.input.subscription_id} is out of sync: ${problems.join('; ')}`)
    return { problems }
  }),
  (s) => ({ problems: s.problems }),
)
