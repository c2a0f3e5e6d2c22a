import { Prisma } from './generated/prisma/client.js'
import { CONNECT_TIMEOUT_MS, POOL_SIZE, POOL_WAIT_MS } from './prisma.service.js'

/**
 * Why a query could not be served, when the reason is the database and not the request: `busy` (no free
 * connection in time, a transaction out of time, too many connections, a deadlock) or `unavailable` (it does
 * not answer, refuses or drops connections, or refuses Loom's credentials). Either is worth trying again
 * later: the gateway answers 503 with Retry-After, and an activity fails retryably (Temporal retries it).
 */
export interface DatabaseTrouble {
  kind: 'busy' | 'unavailable'
  /** one line for people: what happened, without the stack */
  reason: string
}

const busy = (reason: string): DatabaseTrouble => ({ kind: 'busy', reason })
const unavailable = (reason: string): DatabaseTrouble => ({ kind: 'unavailable', reason })

/** SQLSTATE codes (PostgreSQL, Appendix A) that say the server is overloaded or the request lost a race. */
const BUSY_SQLSTATES = new Set(['53000', '53100', '53200', '53300', '53400', '40001', '40P01', '55P03', '57014'])
/** …and those that say it is not there for Loom: shutting down, starting, refusing the login, read-only. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '3D000', '28000', '28P01', '25006'])

/** Node's socket errors (pg's, when it cannot reach the server or loses it). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'])

/** @prisma/adapter-pg's names for connection-level driver errors. */
const ADAPTER_KINDS: Record<string, DatabaseTrouble['kind']> = {
  TooManyConnections: 'busy',
  TransactionWriteConflict: 'busy',
  DatabaseNotReachable: 'unavailable',
  ConnectionClosed: 'unavailable',
  SocketTimeout: 'unavailable',
  TlsConnectionError: 'unavailable',
  DatabaseDoesNotExist: 'unavailable',
  DatabaseAccessDenied: 'unavailable',
  AuthenticationFailed: 'unavailable',
}

/** Prisma's error codes (prisma.io/docs/orm/reference/error-reference) for the same, when no driver error says more. */
const PRISMA_CODES: Record<string, DatabaseTrouble['kind']> = {
  P2024: 'busy', // timed out fetching a connection from the pool
  P2034: 'busy', // write conflict or deadlock
  P2037: 'busy', // too many database connections
  P1000: 'unavailable', // authentication failed
  P1001: 'unavailable', // cannot reach the server
  P1002: 'unavailable', // the server timed out
  P1003: 'unavailable', // the database does not exist
  P1008: 'unavailable', // operations timed out
  P1010: 'unavailable', // access denied
  P1011: 'unavailable', // TLS
  P1017: 'unavailable', // the server closed the connection
}

function firstLine(message: string): string {
  // Prisma's messages start with "Invalid `prisma.x()` invocation:" and a code frame; the reason is the last line.
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean)
  return (lines.at(-1) ?? message).replace(/^Raw query failed\. Code: `[^`]*`\. Message: `(.*)`$/, '$1')
}

function ofSqlState(code: string, message: string): DatabaseTrouble | undefined {
  if (BUSY_SQLSTATES.has(code)) return busy(`${message} (SQLSTATE ${code})`)
  if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return unavailable(`${message} (SQLSTATE ${code})`)
  return undefined
}

function ofAdapterCause(cause: Record<string, unknown>, message: string): DatabaseTrouble | undefined {
  const kind = typeof cause.kind === 'string' ? cause.kind : ''
  if (kind === 'postgres' && typeof cause.code === 'string') return ofSqlState(cause.code, typeof cause.message === 'string' ? cause.message : firstLine(message))
  const as = ADAPTER_KINDS[kind]
  if (!as) return undefined
  const detail = typeof cause.originalMessage === 'string' ? cause.originalMessage : firstLine(message)
  return { kind: as, reason: detail }
}

function ofPrisma(error: Prisma.PrismaClientKnownRequestError): DatabaseTrouble | undefined {
  const cause = (error.meta?.driverAdapterError as { cause?: Record<string, unknown> } | undefined)?.cause
  const fromDriver = cause && ofAdapterCause(cause, error.message)
  if (fromDriver) return fromDriver
  if (error.code === 'P2028') {
    // Only running out of time is the database's load; other transaction errors (a closed transaction used) are bugs.
    if (/Unable to start a transaction in the given time/.test(error.message)) return busy('a transaction could not get a database connection in time')
    const expired = /cannot be executed on an expired transaction\. The timeout for this transaction was (\d+) ms/.exec(error.message)
    if (expired) return busy(`a transaction did not finish within its ${expired[1]} ms and was rolled back`)
    return undefined
  }
  const as = PRISMA_CODES[error.code]
  return as && { kind: as, reason: firstLine(error.message) }
}

/**
 * The database trouble an error reports, or undefined when it is something else (a bug, a constraint, bad
 * input). Knows Prisma's errors (with @prisma/adapter-pg's driver errors inside them), pg's and pg-pool's.
 */
export function databaseTrouble(error: unknown): DatabaseTrouble | undefined {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return ofPrisma(error)
  if (error instanceof Prisma.PrismaClientInitializationError) return unavailable(firstLine(error.message))
  if (!(error instanceof Error)) return undefined
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown }
  if (typeof code === 'string' && typeof severity === 'string') return ofSqlState(code, error.message) // pg's DatabaseError
  // A refused connection to a name with two addresses (::1, 127.0.0.1) is an AggregateError with no message.
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return unavailable(error.message || `the connection failed: ${code}`)
  switch (error.message) {
    case 'timeout exceeded when trying to connect': // pg-pool: nothing came free in the queue
      return busy(`no database connection came free within ${POOL_WAIT_MS / 1000} s (this process keeps ${POOL_SIZE})`)
    case 'timeout expired': // pg: a new connection did not complete
      return unavailable(`the database did not complete a connection within ${CONNECT_TIMEOUT_MS / 1000} s`)
    case 'Connection terminated unexpectedly':
    case 'Connection terminated due to connection timeout':
    case 'Client has encountered a connection error and is not queryable':
      return unavailable(error.message)
    case 'Cannot use a pool after calling end on the pool': // the process is shutting down
      return unavailable('the database connections are closed: this process is shutting down')
    default:
      return undefined
  }
}

/** A write that broke a unique key (Prisma P2002): the thing exists already. */
export const isUniqueViolation = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'

/** An update or delete of a row that is not there (Prisma P2025). */
export const isRecordNotFound = (error: unknown): boolean => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025'
