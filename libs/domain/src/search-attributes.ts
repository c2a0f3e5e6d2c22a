// Loom's custom search attributes (DESIGN.md, Names). The workflow name is Temporal's own WorkflowType.
export const LOOM_SEARCH_ATTRIBUTES = {
  LoomSubscriptionIds: 'KeywordList',
  LoomProduct: 'Keyword',
  LoomCustomer: 'Keyword',
  LoomTarget: 'Keyword',
  LoomCreatedBy: 'Keyword',
} as const

export type LoomSearchAttribute = keyof typeof LOOM_SEARCH_ATTRIBUTES
