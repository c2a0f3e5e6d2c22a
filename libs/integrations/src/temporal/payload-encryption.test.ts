import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { defaultPayloadConverter } from '@temporalio/common'
import { ENCRYPTED_ENCODING, PayloadEncryptionCodec, PayloadKeysError } from './payload-encryption.js'
import { newPayloadKeyLine } from './payload-keys-file.js'

const oldKey = newPayloadKeyLine('old')
const newKey = newPayloadKeyLine('new')
const clear = defaultPayloadConverter.toPayload({ router: 'ams-pe1', secret: 'hunter2' })

describe('payload encryption (AES-256-GCM)', () => {
  test('encrypts with the first key, says which, and gives back the payload; nothing of it is readable', async () => {
    const codec = new PayloadEncryptionCodec(`${newKey}\n${oldKey}`)
    const [sealed] = await codec.encode([clear])
    assert.equal(new TextDecoder().decode(sealed.metadata!.encoding), ENCRYPTED_ENCODING)
    assert.equal(new TextDecoder().decode(sealed.metadata!['encryption-key-id']), 'new')
    assert.ok(!Buffer.from(sealed.data!).toString('latin1').includes('ams-pe1'))
    const [opened] = await codec.decode([sealed])
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened), { router: 'ams-pe1', secret: 'hunter2' })
    // Each encryption has its own nonce: the same payload twice is two ciphertexts.
    const [again] = await codec.encode([clear])
    assert.notDeepEqual(Buffer.from(again.data!), Buffer.from(sealed.data!))
  })

  test('rotation: a payload of the old key still opens once a new key is first; without the old key it is refused naming the key', async () => {
    const [sealed] = await new PayloadEncryptionCodec(oldKey).encode([clear])
    const [opened] = await new PayloadEncryptionCodec(`${newKey}\n${oldKey}`).decode([sealed])
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened), { router: 'ams-pe1', secret: 'hunter2' })
    await assert.rejects(new PayloadEncryptionCodec(newKey).decode([sealed]), /encrypted with key "old", which LOOM_PAYLOAD_KEYS does not hold/)
  })

  test('a payload changed in Temporal is refused; one never encrypted (recorded before) passes as it is', async () => {
    const codec = new PayloadEncryptionCodec(newKey)
    const [sealed] = await codec.encode([clear])
    const tampered = { ...sealed, data: Buffer.from(sealed.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) }
    await assert.rejects(codec.decode([tampered]), /unable to authenticate|Unsupported state/)
    assert.deepEqual(await codec.decode([clear]), [clear])
  })

  test('a malformed key line is refused without repeating it', () => {
    assert.throws(() => new PayloadEncryptionCodec('k1=c2hvcnQ='), (e: Error) => e instanceof PayloadKeysError && /payload key 1 is not/.test(e.message) && !e.message.includes('c2hvcnQ'))
    assert.throws(() => new PayloadEncryptionCodec('# nothing\n'), /no payload key given/)
  })
})
