import { Injectable, NotFoundException } from '@nestjs/common'
import { PrismaService } from '#persistence/index.js'
import type { WorkflowDeclaration } from '#workflows/engine/declaration.js'
import { compileDefinition } from '#workflows/custom/compile.js'
import type { CustomDefinition } from '#workflows/custom/definition.js'

/** Versions are immutable, so a compiled one stays right; the bound keeps a gateway's memory flat. */
const CACHED_VERSIONS = 500

/**
 * The declaration of a custom workflow version, compiled by the same function the interpreter runs: the gateway
 * lists a custom process's steps and checks its answers with the very schemas its workflow applies.
 */
@Injectable()
export class CustomDeclarations {
  private readonly compiled = new Map<string, WorkflowDeclaration>()

  constructor(private readonly prisma: PrismaService) {}

  async ofVersion(versionId: string): Promise<WorkflowDeclaration> {
    const cached = this.compiled.get(versionId)
    if (cached) {
      // Most recently used last: the first key is the one to drop.
      this.compiled.delete(versionId)
      this.compiled.set(versionId, cached)
      return cached
    }
    const row = await this.prisma.customWorkflowVersion.findUnique({ where: { id: versionId }, select: { definition: true, version: true } })
    if (!row) throw new NotFoundException(`No custom workflow version ${versionId}.`)
    const declaration = compileDefinition(row.definition as unknown as CustomDefinition, row.version)
    this.compiled.set(versionId, declaration)
    if (this.compiled.size > CACHED_VERSIONS) this.compiled.delete(this.compiled.keys().next().value!)
    return declaration
  }

  remember(versionId: string, declaration: WorkflowDeclaration): void {
    if (!this.compiled.has(versionId)) this.compiled.set(versionId, declaration)
  }
}
