// Loom's custom search attributes (DESIGN.md, Names). The workflow name is Temporal's own WorkflowType.
export const LOOM_SEARCH_ATTRIBUTES = {
  LoomSubscriptionIds: 'KeywordList',
  LoomProduct: 'Keyword',
  LoomCustomer: 'Keyword',
  LoomTarget: 'Keyword',
  LoomCreatedBy: 'Keyword',
} as const

export type LoomSearchAttribute = keyof typeof LOOM_SEARCH_ATTRIBUTES

/** Identity of a caller who sent no X-Loom-User header. */
export const ANONYMOUS_USER = 'anonymous'
