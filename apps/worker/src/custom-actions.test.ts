// A custom workflow calls activities by the names its action registry gives: each must be one this worker binds,
// or a registered definition would pass its checks and then fail every run.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ACTIONS } from '#workflows/custom/actions.js'
import { ACTIVITY_PROVIDERS } from './worker.module.js'

test('every action of the custom workflow registry is an activity the worker binds', () => {
  const bound = new Set(ACTIVITY_PROVIDERS.flatMap((provider) => Object.getOwnPropertyNames(provider.prototype).filter((n) => n !== 'constructor')))
  const unbound = Object.entries(ACTIONS).filter(([, entry]) => !bound.has(entry.activity)).map(([name, entry]) => `${name} → ${entry.activity}`)
  assert.deepEqual(unbound, [])
})
