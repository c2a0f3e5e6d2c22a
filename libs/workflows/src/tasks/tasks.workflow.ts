import { processWorkflow } from '../engine/executor.js'
import { resumeAllDeclaration, validateSubscriptionsDeclaration } from './tasks.declaration.js'

export const resumeAll = processWorkflow(resumeAllDeclaration)
export const validateSubscriptions = processWorkflow(validateSubscriptionsDeclaration)
