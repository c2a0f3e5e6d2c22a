// How the gateway answers errors that are the database's, not the request's: 503 with Retry-After, as
// application/problem+json naming the database as busy or unavailable — never a 500. The errors are built as
// Prisma, pg and pg-pool throw them (libs/persistence/src/database-errors.test.ts makes the real ones).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConflictException, ServiceUnavailableException } from '@nestjs/common'
import type { ArgumentsHost } from '@nestjs/common'
import pg from 'pg'
import type { ProblemDto } from '#contracts/index.js'
import { createLogger } from '#logging/index.js'
import { Prisma } from '#persistence/index.js'
import { ProblemDetailsFilter } from './problem-details.filter.js'

interface Answer {
  status: number
  headers: Record<string, string>
  contentType: string
  body: ProblemDto
}

function answer(exception: unknown): Answer {
  const out = { status: 0, headers: {} as Record<string, string>, contentType: '', body: {} as ProblemDto }
  const res = {
    setHeader: (name: string, value: string) => void (out.headers[name.toLowerCase()] = value),
    status: (s: number) => ((out.status = s), res),
    type: (t: string) => ((out.contentType = t), res),
    json: (b: ProblemDto) => ((out.body = b), res),
  }
  const req = { method: 'POST', path: '/api/dcim/cables', originalUrl: '/api/dcim/cables' }
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost
  new ProblemDetailsFilter(createLogger('test', 'silent')).catch(exception, host)
  return out
}

const known = (message: string, code: string, meta?: Record<string, unknown>) => new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: '6.19.3', meta })
const adapterError = (cause: Record<string, unknown>) => ({ driverAdapterError: { name: 'DriverAdapterError', cause } })

function pgError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error')
  error.code = code
  error.severity = 'FATAL'
  return error
}

function assertDatabase503(a: Answer, kind: 'busy' | 'unavailable', detail: RegExp) {
  assert.equal(a.status, 503, JSON.stringify(a.body))
  assert.equal(a.contentType, 'application/problem+json')
  assert.equal(a.body.status, 503)
  assert.equal(a.body.type, `urn:loom:problem:database-${kind}`)
  assert.equal(a.body.title, kind === 'busy' ? 'Database busy' : 'Database unavailable')
  assert.match(a.body.detail, new RegExp(`^The database is ${kind}: `))
  assert.match(a.body.detail, detail)
  const retryAfter = a.headers['retry-after']
  assert.match(retryAfter ?? '', /^[1-9][0-9]*$/, 'Retry-After in seconds')
  assert.match(a.body.detail, new RegExp(`Try again in ${retryAfter} s\\.$`))
}

describe('the database busy: 503 database-busy with Retry-After', () => {
  test('a transaction that could not start in time (P2028)', () => {
    const a = answer(known('Transaction API error: Unable to start a transaction in the given time.', 'P2028', {}))
    assertDatabase503(a, 'busy', /transaction could not get a database connection in time/)
    assert.equal(a.headers['retry-after'], '2')
  })

  test('a transaction that ran out of time (P2028), at a query and at the commit', () => {
    const expired = (operation: string) =>
      `Transaction API error: A ${operation} cannot be executed on an expired transaction. The timeout for this transaction was 15000 ms, however 15012 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.`
    assertDatabase503(answer(known(`\nInvalid \`prisma.$queryRaw()\` invocation:\n\n\n${expired('query')}`, 'P2028', { operation: 'query' })), 'busy', /within its 15000 ms and was rolled back/)
    assertDatabase503(answer(known(expired('commit'), 'P2028', { operation: 'commit' })), 'busy', /within its 15000 ms/)
  })

  test("pg-pool's queue gave no connection in time", () => {
    assertDatabase503(answer(new Error('timeout exceeded when trying to connect')), 'busy', /no database connection came free within 30 s/)
  })

  test('too many connections, through Prisma and through pg', () => {
    const cause = { originalCode: '53300', originalMessage: 'sorry, too many clients already', kind: 'TooManyConnections', cause: 'sorry, too many clients already' }
    assertDatabase503(answer(known('Too many database connections opened: sorry, too many clients already', 'P2037', adapterError(cause))), 'busy', /too many clients/)
    assertDatabase503(answer(pgError('53300', 'sorry, too many clients already')), 'busy', /too many clients already \(SQLSTATE 53300\)/)
  })
})

describe('the database unavailable: 503 database-unavailable with Retry-After', () => {
  test('cannot reach the server: a model query (P1001), a raw query (P2010), pg itself', () => {
    const cause = { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }
    const model = answer(known("\nInvalid `prisma.subscription.findFirst()` invocation:\n\n\nCan't reach database server at 127.0.0.1:5432", 'P1001', adapterError(cause)))
    assertDatabase503(model, 'unavailable', /Can't reach database server at 127\.0\.0\.1:5432/)
    assert.equal(model.headers['retry-after'], '5')
    const raw = answer(known("\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5432`", 'P2010', adapterError(cause)))
    assertDatabase503(raw, 'unavailable', /: Can't reach database server at 127\.0\.0\.1:5432\. Try/)
    assertDatabase503(answer(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 })), 'unavailable', /ECONNREFUSED/)
  })

  test('a server that does not answer, a connection lost, a server shutting down', () => {
    assertDatabase503(answer(new Error('timeout expired')), 'unavailable', /did not complete a connection within 3 s/)
    assertDatabase503(answer(new Error('Connection terminated unexpectedly')), 'unavailable', /Connection terminated unexpectedly/)
    assertDatabase503(answer(pgError('57P01', 'terminating connection due to administrator command')), 'unavailable', /administrator command/)
    const shutdown = { originalCode: '57P01', originalMessage: 'terminating connection due to administrator command', kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' }
    assertDatabase503(answer(known('Raw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`', 'P2010', adapterError(shutdown))), 'unavailable', /administrator command/)
  })
})

describe('other errors keep their status', () => {
  test('every 503 says when to try again; 409 and 500 do not', () => {
    const temporal = answer(new ServiceUnavailableException('cannot start create_node on Temporal at 127.0.0.1:7233: 14 UNAVAILABLE'))
    assert.equal(temporal.status, 503)
    assert.equal(temporal.body.type, 'urn:loom:problem:service-unavailable')
    assert.equal(temporal.headers['retry-after'], '5')
    const conflict = answer(new ConflictException('locked'))
    assert.equal(conflict.status, 409)
    assert.equal(conflict.headers['retry-after'], undefined)
  })

  test('a unique violation or a bug the gateway did not expect is still a 500, logged, without internals', () => {
    for (const error of [known('Unique constraint failed on the fields: (`name`)', 'P2002', { modelName: 'DcimSite' }), new TypeError("Cannot read properties of undefined (reading 'id')")]) {
      const a = answer(error)
      assert.equal(a.status, 500)
      assert.equal(a.headers['retry-after'], undefined)
      assert.doesNotMatch(a.body.detail, /constraint|Cannot read/)
    }
  })
})
