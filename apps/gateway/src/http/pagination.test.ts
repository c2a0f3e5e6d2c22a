// Cursors: only one that pageOf could have written for the request's sort is accepted; anything else a client
// sends as ?cursor= — garbage, another encoding, JSON of another shape, values its columns cannot hold, a cursor of
// another sort — is a 400 naming `cursor` before it reaches a query (never a 500 from the database).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ArgumentsHost } from '@nestjs/common'
import { createLogger } from '#logging/index.js'
import { decodeCursor, pageInMemory, pageOf, parseSort, type Sort } from './pagination.js'
import { FieldErrorsException } from './problem.js'
import { ProblemDetailsFilter } from './problem-details.filter.js'

const PROCESS_SORTS = { created_at: { field: 'createdAt', dates: true }, workflow: { field: 'workflow' } }
const byDate = parseSort(undefined, PROCESS_SORTS) // -created_at, uuid ids
const byWorkflow = parseSort('workflow', PROCESS_SORTS)
const byVersion = parseSort('-version', { version: { field: 'version', numbers: true } }, 'text')
const byName = parseSort('name', { name: { field: 'name' } }, 'text')

const ID = '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10'
const AT = '2025-03-01T12:34:56.789Z'
const encoded = (text: string) => Buffer.from(text).toString('base64url')
const cursorOf = (...parts: unknown[]) => encoded(JSON.stringify(parts))

/** decodeCursor refuses `cursor` with a 400 whose one field error is `cursor`; returns the error's message. */
function refused(cursor: string, sort: Sort = byDate): string {
  let thrown: unknown
  assert.throws(() => decodeCursor(cursor, sort), (error) => ((thrown = error), true))
  assert.ok(thrown instanceof FieldErrorsException, `${JSON.stringify(cursor)}: ${String(thrown)}`)
  assert.equal(thrown.getStatus(), 400)
  assert.deepEqual(thrown.errors.map((e) => e.path), ['cursor'], cursor)
  return thrown.errors[0].message
}

describe('decodeCursor', () => {
  test('no cursor is the first page', () => {
    assert.equal(decodeCursor(undefined, byDate), undefined)
  })

  test('garbage is a 400 naming cursor', () => {
    for (const cursor of ['garbage', 'bogus', 'x', '', '0', 'null', 'a'.repeat(20_000), cursorOf('-created_at', AT, ID).slice(0, -3)]) refused(cursor)
  })

  test('what is not base64url (or not as pageOf spells it) is a 400', () => {
    const valid = cursorOf('-created_at', AT, ID)
    for (const cursor of ['!!!', '%00', 'é', ' ', `${valid}=`, `${valid}==`, ` ${valid}`, `${valid}\n`, Buffer.from(JSON.stringify(['-created_at', AT, ID])).toString('base64') + '==']) {
      refused(cursor)
    }
    // Buffer would skip the stray characters and decode the rest: still not a cursor this API wrote.
    refused(`${valid.slice(0, 8)}.${valid.slice(8)}`)
  })

  test('base64 of what is not JSON (or not UTF-8) is a 400', () => {
    for (const text of ['hello', '[', '["-created_at",', "['-created_at']", 'undefined', '{"a":1']) refused(encoded(text))
    refused(Buffer.from([0xff, 0xfe, 0x5b, 0x5d]).toString('base64url'))
  })

  test('JSON of another shape is a 400', () => {
    for (const json of ['{}', 'null', '42', '"-created_at"', 'true', '[]', '[[]]', JSON.stringify({ sort: '-created_at', value: AT, id: ID })]) refused(encoded(json))
    refused(cursorOf('-created_at', AT))
    refused(cursorOf('-created_at', AT, ID, 'more'))
    refused(cursorOf(['-created_at', AT, ID]))
  })

  test('parts of the wrong type are a 400', () => {
    for (const parts of [
      ['-created_at', 1_740_832_496_789, ID],
      ['-created_at', AT, null],
      ['-created_at', { $gt: '' }, ID],
      ['-created_at', [AT], ID],
      [null, AT, ID],
      [1, 2, 3],
      ['-created_at', true, ID],
    ]) {
      refused(cursorOf(...parts))
    }
  })

  test('values the sorted column cannot hold, and ids that are no uuid, are a 400', () => {
    // dates: exactly as pageOf writes them (toISOString), inside what PostgreSQL holds
    for (const date of ['yesterday', '', '2025-03-01', '2025-03-01T12:34:56Z', '2025-03-01T12:34:56.789+01:00', '2025-02-30T00:00:00.000Z', '2025-13-01T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'NaN', '0']) {
      refused(cursorOf('-created_at', date, ID))
    }
    for (const id of ['not-a-uuid', '', "' OR 1=1 --", `${ID} `, `${ID}0`, '1']) refused(cursorOf('-created_at', AT, id))
    // text PostgreSQL cannot hold: a NUL, half a surrogate pair
    for (const value of ['a\u0000b', '\uD800', 'x\uDC00']) refused(cursorOf('workflow', value, ID), byWorkflow)
    refused(cursorOf('workflow', 'create_node', `${ID}\u0000`), byWorkflow)
    refused(cursorOf('name', 'Acme', ''), byName)
    refused(cursorOf('name', 'Acme', 'acme\u0000'), byName)
    // versions: whole numbers an int4 holds
    for (const version of ['1e3', '-1', '01', '1.5', '9999999999', ' 1', '', 'NaN', '0x10']) refused(cursorOf('-version', version, version), byVersion)
  })

  test('a cursor made for another sort is a 400 that says so', () => {
    assert.match(refused(cursorOf('created_at', AT, ID)), /belongs to sort=created_at; ask again from the first page/)
    assert.match(refused(cursorOf('-created_at', AT, ID), byWorkflow), /belongs to sort=-created_at/)
    assert.match(refused(cursorOf('workflow', 'create_node', ID)), /belongs to sort=workflow/)
    // A sort no API has is not repeated back.
    assert.match(refused(cursorOf('<img src=x>', AT, ID)), /is not a cursor this API returned/)
  })

  test('a cursor pageOf wrote decodes to the last row, for every kind of sort', () => {
    const created = [new Date('2025-03-01T12:34:56.789Z'), new Date('2025-03-01T12:00:00.000Z'), new Date('1999-12-31T23:59:59.999Z')]
    const rows = created.map((createdAt, i) => ({ id: `01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a1${i}`, createdAt, workflow: `wf_${i}` }))
    const page = pageOf(rows, 2, 3, byDate)
    assert.deepEqual(page.items.map((r) => r.id), [rows[0].id, rows[1].id])
    assert.ok(page.next_cursor)
    const after = decodeCursor(page.next_cursor, byDate)!
    assert.ok(after.value instanceof Date)
    assert.equal(after.value.toISOString(), '2025-03-01T12:00:00.000Z')
    assert.equal(after.id, rows[1].id)

    const named = [{ id: 'acme', name: 'Acme "Networks" [EU] 🚀 — ü' }, { id: 'globex', name: 'Globex' }]
    assert.deepEqual(decodeCursor(pageOf(named, 1, 2, byName).next_cursor!, byName), { value: named[0].name, id: 'acme' })
    const versions = [{ id: '12', version: 12 }, { id: '11', version: 11 }]
    assert.deepEqual(decodeCursor(pageOf(versions, 1, 2, byVersion).next_cursor!, byVersion), { value: '12', id: '12' })
    assert.deepEqual(decodeCursor(pageOf(rows, 1, 3, byWorkflow).next_cursor!, byWorkflow), { value: 'wf_0', id: rows[0].id })
    assert.equal(pageOf(rows, 3, 3, byDate).next_cursor, null)
  })

  test('an in-memory list walks page by page with its cursors and refuses a forged one', () => {
    const names = ['create_node', 'modify_node', 'terminate_node', 'validate_node', 'drain_node']
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = pageInMemory(names, (n) => n, 'name', { limit: 2, cursor })
      seen.push(...page.items)
      cursor = page.next_cursor ?? undefined
    } while (cursor)
    assert.deepEqual(seen, [...names].sort())
    assert.throws(() => pageInMemory(names, (n) => n, 'name', { cursor: 'garbage' }), FieldErrorsException)
    assert.throws(() => pageInMemory(names, (n) => n, 'name', { cursor: cursorOf('-created_at', AT, ID) }), FieldErrorsException)
  })

  test('the gateway answers a forged cursor as a 400 problem naming cursor', () => {
    const out = { status: 0, contentType: '', body: {} as { status?: number; errors?: { path: string }[] } }
    const res = {
      locals: {},
      setHeader: () => undefined,
      status: (s: number) => ((out.status = s), res),
      type: (t: string) => ((out.contentType = t), res),
      json: (b: typeof out.body) => ((out.body = b), res),
    }
    const req = { method: 'GET', path: '/api/processes', originalUrl: '/api/processes?cursor=garbage' }
    const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost
    let error: unknown
    try {
      decodeCursor('garbage', byDate)
    } catch (e) {
      error = e
    }
    new ProblemDetailsFilter(createLogger('test', 'silent')).catch(error, host)
    assert.equal(out.status, 400)
    assert.match(out.contentType, /problem\+json/)
    assert.equal(out.body.status, 400)
    assert.deepEqual(out.body.errors?.map((e) => e.path), ['cursor'])
  })
})
