import { applyDecorators, type Type } from '@nestjs/common'
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger'

/**
 * A 200 that is one page of a list (DESIGN.md, Lists): `{items: [item…], total, next_cursor}`; a list of
 * tenant-owned rows (`scoped`) also says which tenants it covers.
 */
export function ApiPageResponse(item: Type, description: string, options: { scoped?: boolean } = {}) {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      ...(options.scoped ? { headers: { 'Loom-Tenant-Scope': { description: 'the tenants the list covers: `all`, or their ids separated by commas', schema: { type: 'string' } } } } : {}),
      schema: {
        type: 'object',
        required: ['items', 'total', 'next_cursor', ...(options.scoped ? ['tenant_scope'] : [])],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(item) } },
          total: { type: 'integer', example: 1, description: 'how many items the filters match, on every page' },
          next_cursor: { type: 'string', nullable: true, example: null, description: 'pass as ?cursor= for the next page; null on the last page' },
          ...(options.scoped
            ? {
                tenant_scope: {
                  oneOf: [{ type: 'string', enum: ['all'] }, { type: 'array', items: { type: 'string' } }],
                  example: ['red'],
                  description: 'the tenants the list covers: "all", or their ids (also in the Loom-Tenant-Scope header)',
                },
              }
            : {}),
        },
      },
    }),
  )
}
