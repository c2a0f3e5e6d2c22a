import { Injectable, NotFoundException } from '@nestjs/common'
import { validate as isUuid } from 'uuid'
import type { Page, ProductDto, ProductListQueryDto } from '#contracts/index.js'
import { type Prisma, PrismaService } from '#persistence/index.js'

const INCLUDE = {
  fixedInputs: true,
  workflows: true,
  blocks: { orderBy: { position: 'asc' }, include: { block: { include: { resourceTypes: true, dependsOn: { include: { dependsOn: true } } } } } },
} as const

@Injectable()
export class ProductsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: ProductListQueryDto): Promise<Page<ProductDto>> {
    const rows = await this.prisma.product.findMany({
      where: { ...(query.tag ? { tag: query.tag } : {}), ...(query.type ? { type: query.type } : {}) },
      orderBy: { name: 'asc' },
      include: INCLUDE,
    })
    return { items: rows.map(toDto), total: rows.length, next_cursor: null }
  }

  /** By id or by name. */
  async get(idOrName: string): Promise<ProductDto> {
    const row = await this.prisma.product.findUnique({ where: isUuid(idOrName) ? { id: idOrName.toLowerCase() } : { name: idOrName }, include: INCLUDE })
    if (!row) throw new NotFoundException(`No product ${JSON.stringify(idOrName)}; GET /api/products lists them.`)
    return toDto(row)
  }
}

type Row = Prisma.ProductGetPayload<{ include: typeof INCLUDE }>

function toDto(p: Row): ProductDto {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    description: p.description,
    tag: p.tag,
    fixed_inputs: Object.fromEntries(p.fixedInputs.map((f) => [f.name, f.value])),
    product_blocks: p.blocks.map(({ block }) => {
      const refs = new Map(block.dependsOn.map((r) => [r.field, r.dependsOn.name]))
      return {
        name: block.name,
        description: block.description,
        tag: block.tag,
        resource_types: block.resourceTypes
          .map((r) => ({ name: r.name, type: r.type, description: r.description, required_from: r.requiredFrom, choices: (r.choices as string[] | null) ?? null, refers_to: refs.get(r.name) ?? null }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      }
    }),
    workflows: p.workflows.map((w) => w.workflowName).sort(),
  }
}
