/** The ids customers have (`acme`): what start forms, subscriptions and /api/customers accept. */
export const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/
