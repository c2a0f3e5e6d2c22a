import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Payload, PayloadCodec } from '@temporalio/common'
import { temporal } from '@temporalio/proto'

/** How an encrypted payload says what it is (and which key made it); Temporal's samples use the same names. */
export const ENCRYPTED_ENCODING = 'binary/encrypted'
const KEY_ID = 'encryption-key-id'
const IV_BYTES = 12
const TAG_BYTES = 16

const text = (s: string) => new TextEncoder().encode(s)
const fromText = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined)

export class PayloadKeysError extends Error {}

/**
 * Encrypts every payload Loom hands Temporal (workflow inputs and results, activity arguments, Update answers,
 * memos) with AES-256-GCM, so that Temporal's database, its operators and its Web UI see no customer data or
 * configuration. The first key encrypts; every key decrypts, so a key is rotated by putting a new one first and
 * keeping the old ones until no history needs them. A payload that is not encrypted (recorded before) passes.
 */
export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>
  private readonly active: string

  /** `<id>=<base64 of 32 bytes>` per line; blank lines and lines starting with # are skipped. */
  constructor(keysText: string) {
    const entries = keysText
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((line, i): [string, Buffer] => {
        const [, id, key] = /^([A-Za-z0-9._-]{1,64})=([A-Za-z0-9+/=]+)$/.exec(line) ?? []
        const bytes = key ? Buffer.from(key, 'base64') : undefined
        if (!id || bytes?.length !== 32) throw new PayloadKeysError(`payload key ${i + 1} is not <id>=<base64 of 32 random bytes>`)
        return [id, bytes]
      })
    if (!entries.length) throw new PayloadKeysError('no payload key given')
    this.keys = new Map(entries)
    this.active = entries[0][0]
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a refusal is a rejection, as callers await it
  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.active)!
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const sealed = Buffer.concat([cipher.update(temporal.api.common.v1.Payload.encode(payload).finish()), cipher.final()])
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID]: text(this.active) }, data: Buffer.concat([iv, sealed, cipher.getAuthTag()]) }
    })
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as encode
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (fromText(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload
      const id = fromText(payload.metadata?.[KEY_ID]) ?? ''
      const key = this.keys.get(id)
      if (!key) throw new PayloadKeysError(`a payload was encrypted with key ${JSON.stringify(id)}, which LOOM_PAYLOAD_KEYS does not hold`)
      const data = Buffer.from(payload.data ?? new Uint8Array())
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES))
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()])
      return temporal.api.common.v1.Payload.decode(plain)
    })
  }
}
