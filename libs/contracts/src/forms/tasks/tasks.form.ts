import { z } from 'zod'
import { escapeMarkdown } from '#domain/index.js'
import { TASK_DEPLOY_CONFIG, TASK_RESUME_ALL, TASK_UPGRADE_OS, TASK_VALIDATE_SUBSCRIPTIONS } from '#workflows/names.js'
import { type DeployConfigInput, deployConfigPage, type RolloutInput, type UpgradeOsInput, upgradeOsPage } from '#workflows/tasks/fleet-task.forms.js'
import type { StartForm } from '../start-form.js'

type NoInput = Record<string, never>

/** Tasks take no answers: the form is an empty object, and nothing is claimed or locked at start. */
const taskForm = (workflow: string, title: string): StartForm<NoInput> => ({
  workflow,
  pages: [() => Promise.resolve(z.object({}).strict().meta({ title }))],
  claims: () => [],
  customerId: () => '',
  summary: () => title,
})

export const resumeAllForm = taskForm(TASK_RESUME_ALL, 'Resume all suspended processes')
export const validateSubscriptionsForm = taskForm(TASK_VALIDATE_SUBSCRIPTIONS, 'Validate all active subscriptions')

const filtersOf = (input: RolloutInput) => `${input.filter_sites ? ` at ${input.filter_sites.join(', ')}` : ''}${input.filter_dev_types ? ` (${input.filter_dev_types.join(', ')})` : ''}`

/** The fleet is not locked as a whole: each device is held only while a lane works on it. */
export const upgradeOsForm: StartForm<UpgradeOsInput> = {
  workflow: TASK_UPGRADE_OS,
  pages: [() => Promise.resolve(upgradeOsPage)],
  claims: () => [],
  customerId: () => '',
  summary: (input) => escapeMarkdown(`Upgrade the OS to ${input.version}${filtersOf(input)}`),
}

export const deployConfigForm: StartForm<DeployConfigInput> = {
  workflow: TASK_DEPLOY_CONFIG,
  pages: [() => Promise.resolve(deployConfigPage)],
  claims: () => [],
  customerId: () => '',
  summary: (input) => escapeMarkdown(`Deploy the nodes' configuration${filtersOf(input)}`),
}
