import { processWorkflow } from '../engine/executor.js'
import { resumeAllDeclaration, validateSubscriptionsDeclaration } from './tasks.declaration.js'
import { upgradeOsDeclaration } from './upgrade-os.declaration.js'

export const resumeAll = processWorkflow(resumeAllDeclaration)
export const validateSubscriptions = processWorkflow(validateSubscriptionsDeclaration)
export const upgradeOs = processWorkflow(upgradeOsDeclaration)
