import { temporal } from '@temporalio/proto'
import { LOOM_SEARCH_ATTRIBUTES } from '#domain/index.js'

const IndexedValueType = temporal.api.enums.v1.IndexedValueType
const TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const

/**
 * Registers Loom's search attributes that the namespace lacks. Idempotent; safe when several
 * workers start at once (an attribute another process added meanwhile is not an error).
 */
export async function ensureSearchAttributes(
  connection: { operatorService: temporal.api.operatorservice.v1.OperatorService },
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace })
  const missing = Object.entries(LOOM_SEARCH_ATTRIBUTES).filter(([name]) => !(name in customAttributes))
  if (missing.length === 0) return []
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]])),
    })
  } catch (error) {
    if (!/already exists/i.test(String((error as Error).message))) throw error
  }
  return missing.map(([name]) => name)
}
