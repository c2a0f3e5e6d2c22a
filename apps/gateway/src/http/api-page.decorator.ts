import { applyDecorators, type Type } from '@nestjs/common'
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger'

/** A 200 that is one page of a list (DESIGN.md, Lists): `{items: [item…], total, next_cursor}`. */
export function ApiPageResponse(item: Type, description: string) {
  return applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'total', 'next_cursor'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(item) } },
          total: { type: 'integer', example: 1, description: 'how many items the filters match, on every page' },
          next_cursor: { type: 'string', nullable: true, example: null, description: 'pass as ?cursor= for the next page; null on the last page' },
        },
      },
    }),
  )
}
