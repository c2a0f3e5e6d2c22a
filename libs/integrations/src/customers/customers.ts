// Who a subscription is for. Subscriptions and start forms carry a customer id; a customer source says who that
// is (a name for people, a contact address for notifications): the built-in table `customers`
// (LOOM_CUSTOMERS=builtin) or the organisation's customer system behind a webhook (LOOM_CUSTOMERS=webhook).

export interface Customer {
  id: string
  name: string
  contact_email: string | null
  contact_name: string | null
}

export interface CustomerSource {
  readonly kind: 'builtin' | 'webhook'
  /** the customer with this id; null when the source has none. A source that does not answer throws `unavailable`. */
  customer(id: string): Promise<Customer | null>
}

export const CUSTOMERS = Symbol('CUSTOMERS')
