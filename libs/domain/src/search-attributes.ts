// Loom's custom search attributes (DESIGN.md, Names). The workflow name is Temporal's own WorkflowType.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common'

export const LOOM_SEARCH_ATTRIBUTES = {
  LoomSubscriptionIds: 'KeywordList',
  LoomProduct: 'Keyword',
  LoomCustomer: 'Keyword',
  LoomTarget: 'Keyword',
  LoomCreatedBy: 'Keyword',
  LoomStatus: 'Keyword',
} as const

/** Typed keys, for starting workflows with typedSearchAttributes. */
export const SEARCH_ATTRIBUTE = {
  subscriptionIds: defineSearchAttributeKey('LoomSubscriptionIds', SearchAttributeType.KEYWORD_LIST),
  product: defineSearchAttributeKey('LoomProduct', SearchAttributeType.KEYWORD),
  customer: defineSearchAttributeKey('LoomCustomer', SearchAttributeType.KEYWORD),
  target: defineSearchAttributeKey('LoomTarget', SearchAttributeType.KEYWORD),
  createdBy: defineSearchAttributeKey('LoomCreatedBy', SearchAttributeType.KEYWORD),
  /** Loom's process status (created … completed, aborted, failed): set at start, kept current by the engine */
  status: defineSearchAttributeKey('LoomStatus', SearchAttributeType.KEYWORD),
} as const
