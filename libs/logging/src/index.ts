export { createLogger, PinoNestLogger } from './logger.js'
export type { Logger } from 'pino'
