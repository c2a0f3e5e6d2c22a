import { modifyCircuitMetricForm, modifyCircuitModeForm, terminateCircuitForm, validateCircuitForm } from './circuit/circuit-change.form.js'
import { createCircuitForm } from './circuit/create-circuit.form.js'
import { createNodeForm } from './node/create-node.form.js'
import { drainNodeForm, restoreNodeForm } from './node/drain-node.form.js'
import { modifyNodeForm } from './node/modify-node.form.js'
import { terminateNodeForm } from './node/terminate-node.form.js'
import { validateNodeForm } from './node/validate-node.form.js'
import type { StartForm } from './start-form.js'
import { createPortForm } from './port/create-port.form.js'
import { terminatePortForm, validatePortForm } from './port/port-change.form.js'
import { deployConfigForm, resumeAllForm, upgradeOsForm, validateSubscriptionsForm } from './tasks/tasks.form.js'

export * from './start-form.js'

/** Workflows that `POST /api/processes/{workflow}` starts: one line per workflow. */
export const START_FORMS: readonly StartForm<never>[] = [
  createNodeForm,
  modifyNodeForm,
  validateNodeForm,
  terminateNodeForm,
  drainNodeForm,
  restoreNodeForm,
  createPortForm,
  terminatePortForm,
  validatePortForm,
  createCircuitForm,
  modifyCircuitModeForm,
  modifyCircuitMetricForm,
  terminateCircuitForm,
  validateCircuitForm,
  resumeAllForm,
  validateSubscriptionsForm,
  upgradeOsForm,
  deployConfigForm,
] as StartForm<never>[]
