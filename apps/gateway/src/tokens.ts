export const LOOM_CONFIG = Symbol('LOOM_CONFIG')
export const LOGGER = Symbol('LOGGER')
export const WORKFLOWS = Symbol('WORKFLOWS')
