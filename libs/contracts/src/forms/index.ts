import { createNodeForm } from './node/create-node.form.js'
import { validateNodeForm } from './node/validate-node.form.js'
import type { StartForm } from './start-form.js'

export * from './start-form.js'

/** Workflows that `POST /api/processes/{workflow}` starts: one line per workflow. */
export const START_FORMS: readonly StartForm<never>[] = [createNodeForm as StartForm<never>, validateNodeForm as StartForm<never>]
