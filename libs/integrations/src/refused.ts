// For the contract suites: a call a source of truth must refuse, with this kind and these words.
import assert from 'node:assert/strict'
import { SourceOfTruthError } from './errors.js'

export async function refused(promise: Promise<unknown>, kind: SourceOfTruthError['kind'], pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SourceOfTruthError, `expected a SourceOfTruthError, got ${String(error)}`)
    assert.equal(error.kind, kind)
    assert.match(error.message, pattern)
    return true
  })
}
