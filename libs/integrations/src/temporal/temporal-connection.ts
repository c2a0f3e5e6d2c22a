import { readFileSync } from 'node:fs'
import type { DataConverter } from '@temporalio/common'
import { type LoomConfig, temporalAddressOf } from '#config/index.js'
import { resolveSecret } from '../hooks/secrets.js'
import { PayloadEncryptionCodec } from './payload-encryption.js'

export class TemporalSecurityError extends Error {}

function file(path: string, variable: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new TemporalSecurityError(`${variable} names ${path}, which cannot be read: ${(error as NodeJS.ErrnoException).code}`)
  }
}

/** What the gateway's and the workers' connections to Temporal need: the address, TLS (mTLS), an API key. */
export function temporalConnectionOptions(config: LoomConfig) {
  const { tls, apiKey } = config.temporalSecurity
  return {
    address: temporalAddressOf(config),
    ...(tls
      ? {
          tls: {
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
            ...(tls.ca ? { serverRootCACertificate: file(tls.ca, 'TEMPORAL_TLS_CA') } : {}),
            ...(tls.cert && tls.key ? { clientCertPair: { crt: file(tls.cert, 'TEMPORAL_TLS_CERT'), key: file(tls.key, 'TEMPORAL_TLS_KEY') } } : {}),
          },
        }
      : {}),
    ...(apiKey ? { apiKey: resolveSecret(apiKey, 'TEMPORAL_API_KEY') } : {}),
  }
}

/** The payload codec of LOOM_PAYLOAD_KEYS, or none. */
export function payloadCodecOf(config: LoomConfig): PayloadEncryptionCodec | undefined {
  const reference = config.temporalSecurity.payloadKeys
  return reference ? new PayloadEncryptionCodec(resolveSecret(reference, 'LOOM_PAYLOAD_KEYS')) : undefined
}

/** With a payload codec: failure messages and stacks encrypted too (failure-converter.ts). */
export const ENCRYPTING_FAILURE_CONVERTER = require.resolve('./failure-converter.js')

/** The data converter every Temporal client and worker of Loom uses. */
export function dataConverterOf(config: LoomConfig): DataConverter {
  const codec = payloadCodecOf(config)
  return codec ? { payloadCodecs: [codec], failureConverterPath: ENCRYPTING_FAILURE_CONVERTER } : {}
}
