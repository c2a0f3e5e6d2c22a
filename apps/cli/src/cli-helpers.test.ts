// The CLI's pure parts, where a slip would not show in the end-to-end tests until the wrong day: how long a 429
// makes it wait, how a typed answer becomes a form value, and how a problem reads.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseAnswer } from './form-prompt.js'
import { retryAfterSeconds } from './http.js'
import { problemText } from './output.js'

describe('retryAfterSeconds', () => {
  test('seconds as given; an HTTP date as the seconds until it; never more than 60; 1 when it says nothing usable', () => {
    assert.equal(retryAfterSeconds('12'), 12)
    assert.equal(retryAfterSeconds('0'), 0)
    assert.equal(retryAfterSeconds('3600'), 60)
    const now = Date.parse('2026-11-30T12:00:00Z')
    assert.equal(retryAfterSeconds('Mon, 30 Nov 2026 12:00:09 GMT', now), 9)
    assert.equal(retryAfterSeconds('Mon, 30 Nov 2026 11:00:00 GMT', now), 0)
    for (const nothing of [null, '', 'soon']) assert.equal(retryAfterSeconds(nothing), 1)
  })
})

describe('parseAnswer', () => {
  test('a choice by its number or its value; anything else is refused naming the range', () => {
    const router = { type: 'string', enum: ['ams-pe1', 'fra-pe1'] }
    assert.deepEqual(parseAnswer(router, '2'), { value: 'fra-pe1' })
    assert.deepEqual(parseAnswer(router, 'ams-pe1'), { value: 'ams-pe1' })
    assert.deepEqual(parseAnswer(router, 'lon-pe1'), { error: 'choose a number from 1 to 2, or one of the values' })
    const node = { type: 'string', oneOf: [{ const: 'id-1', title: 'Node ams-pe1' }] }
    assert.deepEqual(parseAnswer(node, '1'), { value: 'id-1' })
  })

  test('booleans, numbers, lists and objects as their types want them', () => {
    assert.deepEqual(parseAnswer({ type: 'boolean' }, 'y'), { value: true })
    assert.deepEqual(parseAnswer({ type: 'boolean' }, 'No'), { value: false })
    assert.ok('error' in parseAnswer({ type: 'boolean' }, 'maybe'))
    assert.deepEqual(parseAnswer({ type: 'integer' }, '42'), { value: 42 })
    assert.ok('error' in parseAnswer({ type: 'integer' }, '4.2'))
    assert.deepEqual(parseAnswer({ type: 'number' }, '4.2'), { value: 4.2 })
    assert.deepEqual(parseAnswer({ type: 'array', items: { type: 'string' } }, 'earth, mars'), { value: ['earth', 'mars'] })
    assert.deepEqual(parseAnswer({ type: 'object' }, '{"a": 1}'), { value: { a: 1 } })
    assert.deepEqual(parseAnswer({ type: ['string', 'null'] }, 'x'), { value: 'x' })
  })
})

describe('problemText', () => {
  test('what, status, title and detail on one line; each field at fault on a line of its own', () => {
    const body = { type: 'urn:loom:problem:validation-failed', title: 'Validation failed', status: 422, detail: 'The form has 1 invalid field: router.', errors: [{ path: 'router', message: 'choose a router' }] }
    assert.equal(problemText('workflow start create_node', 422, body), 'workflow start create_node: 422 Validation failed: The form has 1 invalid field: router.\n  router: choose a router')
    assert.equal(problemText('process list', 502, 'Bad gateway'), 'process list: 502')
  })
})
