import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { PrismaClient } from '../generated/prisma/client.js'

const KEY_NAME = 'message_signing_key'

/**
 * Signs what the gateway sends a workflow (answers, retries, aborts, callbacks) so that the workflow can tell it
 * from a raw Update sent with Temporal's CLI or Web UI, which would bypass every check the gateway makes. The key
 * is made once in the database that gateways and workers both trust; only the signature enters workflow history.
 */
export class MessageSigner {
  private key?: Promise<Buffer>

  constructor(private readonly prisma: Pick<PrismaClient, 'loomSecret'>) {}

  async sign(processId: string, kind: string, payload: unknown): Promise<string> {
    return createHmac('sha256', await this.secret())
      .update(JSON.stringify([processId, kind, payload]))
      .digest('base64url')
  }

  async verify(processId: string, kind: string, payload: unknown, signature: string): Promise<boolean> {
    const expected = Buffer.from(await this.sign(processId, kind, payload))
    const given = Buffer.from(signature)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      // Whoever comes first makes it; everyone then reads the one that won.
      await this.prisma.loomSecret.createMany({ data: [{ name: KEY_NAME, value: randomBytes(32).toString('base64') }], skipDuplicates: true })
      const { value } = await this.prisma.loomSecret.findUniqueOrThrow({ where: { name: KEY_NAME } })
      return Buffer.from(value, 'base64')
    })()
    this.key.catch(() => (this.key = undefined))
    return this.key
  }
}
