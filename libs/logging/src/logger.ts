import type { LoggerService } from '@nestjs/common'
import pino, { type Logger } from 'pino'
import type { LogLevel } from '#config/index.js'

/** One JSON line per event on stdout, with the process role (gateway, worker, launcher) in every line. */
export function createLogger(role: string, level: LogLevel): Logger {
  return pino({ level, base: { role, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime })
}

/** Nest's own messages (module init, route mapping, errors) go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  /** Nest's start-up chatter (modules, routes) is debug detail, not news. */
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message))
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message))
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message))
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message))
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message))
  }
}
