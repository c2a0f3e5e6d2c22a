/** Every string and number in a domain model, depth first. */
function scalars(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (typeof value === 'number') return [String(value)]
  if (value && typeof value === 'object') return Object.values(value).flatMap(scalars)
  return []
}

/**
 * What `GET /api/subscriptions?q=` searches: description, customer, product and every block value, lower-cased.
 * Stored with the subscription (trigram-indexed), so a search is an index lookup, not a scan of models.
 */
export function searchTextOf(s: { description: string; customer_id: string; product: string; domain_model: unknown }): string {
  return [s.description, s.customer_id, s.product, ...scalars(s.domain_model)].join(' ').toLowerCase()
}
