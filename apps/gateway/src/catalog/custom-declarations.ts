import { Injectable, NotFoundException } from '@nestjs/common'
import { PrismaService } from '#persistence/index.js'
import type { WorkflowDeclaration } from '#workflows/engine/declaration.js'
import { compileDefinition } from '#workflows/custom/compile.js'
import type { CustomDefinition } from '#workflows/custom/definition.js'
import { RecentlyUsed } from './recently-used.js'

/** Versions are immutable, so a compiled one stays right; the bound keeps a gateway's memory flat. */
const CACHED_VERSIONS = 500

/**
 * The declaration of a custom workflow version, compiled by the same function the interpreter runs: the gateway
 * lists a custom process's steps and checks its answers with the very schemas its workflow applies.
 */
@Injectable()
export class CustomDeclarations {
  private readonly compiled = new RecentlyUsed<WorkflowDeclaration>(CACHED_VERSIONS)

  constructor(private readonly prisma: PrismaService) {}

  /** The declaration of a version read by its id (a process's). */
  async ofVersion(versionId: string): Promise<WorkflowDeclaration> {
    const cached = this.compiled.find(versionId)
    if (cached) return cached
    const row = await this.prisma.customWorkflowVersion.findUnique({ where: { id: versionId }, select: { id: true, definition: true, version: true } })
    if (!row) throw new NotFoundException(`No custom workflow version ${versionId}.`)
    return this.of(row)
  }

  /** The declaration of a version at hand, compiled once. */
  of(row: { id: string; definition: unknown; version: number }): WorkflowDeclaration {
    return this.compiled.get(row.id, () => compileDefinition(row.definition as CustomDefinition, row.version))
  }
}
