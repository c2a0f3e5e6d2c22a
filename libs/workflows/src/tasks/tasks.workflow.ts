import { processWorkflow } from '../engine/executor.js'
import { resumeAllDeclaration, validateSubscriptionsDeclaration } from './tasks.declaration.js'
import { deployConfigDeclaration, upgradeOsDeclaration } from './fleet-tasks.declaration.js'

export const resumeAll = processWorkflow(resumeAllDeclaration)
export const validateSubscriptions = processWorkflow(validateSubscriptionsDeclaration)
export const upgradeOs = processWorkflow(upgradeOsDeclaration)
export const deployConfig = processWorkflow(deployConfigDeclaration)
