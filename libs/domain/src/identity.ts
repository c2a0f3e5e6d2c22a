// Identity travels in the X-Loom-User header until authentication lands (DESIGN.md, Processes).
export const USER_HEADER = 'x-loom-user'

/** Who a caller is taken to be when the header is absent. */
export const ANONYMOUS_USER = 'anonymous'

/** The roles the caller acts in, comma-separated (e.g. `noc,change-board`); an approval step names the role it needs. */
export const ROLES_HEADER = 'x-loom-roles'
