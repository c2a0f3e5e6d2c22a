import { v7 as uuidv7 } from 'uuid'
import type { PrismaService } from '#persistence/index.js'
import type { StepContext } from '#activities/index.js'

/** A process row for activities to write steps under, as POST /api/processes would make it. */
export async function newProcess(prisma: PrismaService, workflow = 'create_node'): Promise<string> {
  const id = uuidv7()
  await prisma.process.create({ data: { id, workflow, target: 'CREATE', createdBy: 'test' } })
  return id
}

/** The context a workflow sends with a step activity. */
export const stepContext = (process_id: string, step: string): StepContext => ({ process_id, step, started_at: new Date().toISOString() })
