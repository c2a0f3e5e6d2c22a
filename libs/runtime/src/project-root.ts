import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let cached: string | undefined

/** The folder holding Loom's package.json, found from the compiled file's location (works from src and dist). */
export function projectRoot(): string {
  if (cached) return cached
  let dir = __dirname
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'loom') return (cached = dir)
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find Loom's package.json above ${__dirname}`)
    dir = parent
  }
}
