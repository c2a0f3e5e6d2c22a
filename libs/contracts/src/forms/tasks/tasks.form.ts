import { z } from 'zod'
import { TASK_RESUME_ALL, TASK_VALIDATE_SUBSCRIPTIONS } from '#workflows/names.js'
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
