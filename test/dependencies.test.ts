// What package.json promises about Node.js must hold for everything npm installs: `engines.node` of every
// installed package must accept every version that Loom's own `engines.node` accepts (else `npm install` warns
// EBADENGINE on a Node that Loom claims to support), and the README must state the same range.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { FileTypeValidator } from '@nestjs/common'
import semver from 'semver'
import { projectRoot } from '#runtime/index.js'

interface Manifest {
  name?: string
  version?: string
  engines?: { node?: string }
}

const root = projectRoot()
const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
const declared = readManifest(root).engines?.node ?? ''

/** Every package folder under node_modules, nested node_modules included. */
function installedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return []
  return readdirSync(nodeModules, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .flatMap((e) => {
      const dir = join(nodeModules, e.name)
      if (e.name.startsWith('@')) return installedPackages(dir)
      const self = existsSync(join(dir, 'package.json')) ? [dir] : []
      return [...self, ...installedPackages(join(dir, 'node_modules'))]
    })
}

describe('the Node.js versions Loom supports', () => {
  test('package.json declares a valid range that accepts this Node (CI runs 20) and 22 and 24', () => {
    assert.ok(semver.validRange(declared), `engines.node "${declared}" is not a semver range`)
    for (const version of [process.version, '20.19.0', '22.13.0', '24.0.0']) assert.ok(semver.satisfies(version, declared), `${version} is outside "${declared}"`)
  })

  test('every installed package accepts every Node version package.json declares', () => {
    const packages = installedPackages(join(root, 'node_modules'))
    assert.ok(packages.length > 100, `only ${packages.length} packages found: run npm ci first`)
    const excluding = packages.flatMap((dir) => {
      const m = readManifest(dir)
      const range = m.engines?.node
      if (!range) return []
      const where = `${m.name}@${m.version} (${relative(root, dir)}) wants node "${range}"`
      if (!semver.validRange(range)) return [`${where}, which is not a semver range`]
      return semver.subset(declared, range) ? [] : [where]
    })
    assert.deepEqual(excluding, [], `package.json says engines.node "${declared}", but:\n${excluding.join('\n')}`)
  })

  test('the README states the same range', () => {
    assert.ok(readFileSync(join(root, 'README.md'), 'utf8').includes(`\`${declared}\``), `README.md does not mention \`${declared}\``)
  })

  // package.json overrides file-type (which @nestjs/common's FileTypeValidator imports) with a release that runs on Node 20.
  test("@nestjs/common's FileTypeValidator works with the installed file-type", async () => {
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b0b5e20000000049454e44ae426082',
      'hex',
    )
    const file = (mimetype: string, buffer: Buffer) => ({ mimetype, buffer, size: buffer.length }) as Parameters<FileTypeValidator['isValid']>[0]
    assert.equal(await new FileTypeValidator({ fileType: 'image/png' }).isValid(file('image/png', png)), true)
    assert.equal(await new FileTypeValidator({ fileType: 'image/jpeg' }).isValid(file('image/jpeg', png)), false, 'detected from the content, not the claimed type')
    assert.equal(await new FileTypeValidator({ fileType: 'image/png' }).isValid(file('image/png', Buffer.from('not a picture'))), false)
  })
})
