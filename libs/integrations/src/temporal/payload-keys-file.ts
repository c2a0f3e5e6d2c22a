// The payload keys' file on its own, without the codec: the launcher makes it before it loads anything heavy.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** A line of LOOM_PAYLOAD_KEYS: `<id>=<base64 of 32 random bytes>`. */
export function newPayloadKeyLine(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  return `${id}=${randomBytes(32).toString('base64')}`
}

/** `npm start`'s payload keys: made at the first start (mode 600) unless LOOM_PAYLOAD_KEYS names others. */
export function ensurePayloadKeysFile(file: string): { created: boolean } {
  if (existsSync(file)) return { created: false }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `# Loom's payload keys: the first encrypts, all decrypt. Keep them with the Temporal data they unlock.\n${newPayloadKeyLine()}\n`, { mode: 0o600 })
  return { created: true }
}
