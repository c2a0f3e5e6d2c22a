// Secrets by reference: configuration, workflows and their histories carry `env:NAME` or `file:/path`; only an
// activity (or a driver), when it is about to use the secret, reads it through this.
import { readFileSync } from 'node:fs'

export type SecretRead = { secret: string } | { problem: string }

/**
 * The secret a reference names, untrimmed; or what is wrong, in words that never repeat the secret (a secret
 * pasted where its reference belongs is not echoed either).
 */
export function readSecretReference(reference: string): SecretRead {
  const [, scheme, rest] = /^(env|file):(.+)$/.exec(reference) ?? []
  if (scheme === 'env') {
    const secret = process.env[rest]
    return secret ? { secret } : { problem: `names the environment variable ${rest}, which is not set on this worker` }
  }
  if (scheme === 'file') {
    try {
      return { secret: readFileSync(rest, 'utf8') }
    } catch (error) {
      return { problem: `names the file ${rest}, which cannot be read: ${(error as NodeJS.ErrnoException).code}` }
    }
  }
  return { problem: 'must be a reference, env:NAME or file:/path' }
}
