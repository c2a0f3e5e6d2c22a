import type { PrismaService } from '#persistence/index.js'

/** What a hook tells about the process it runs for: its workflow and where people follow it. */
export async function processFacts(prisma: PrismaService, publicUrl: string, process_id: string): Promise<{ workflow: string; link: string }> {
  const row = await prisma.process.findUnique({ where: { id: process_id }, select: { workflow: true } })
  return { workflow: row?.workflow ?? 'unknown', link: `${publicUrl}/api/processes/${process_id}` }
}
