// Credentials by reference: workflows and their histories carry `env:NAME` or `file:/path`, and only this
// module, inside an activity, turns one into the secret.
import { readFileSync } from 'node:fs'
import { DeviceError } from './driver.js'

export type Credential = { privateKey: string } | { password: string }

export function resolveCredential(reference: string): Credential {
  const [, scheme, rest] = /^(env|file):(.+)$/.exec(reference) ?? []
  let secret: string | undefined
  if (scheme === 'env') {
    secret = process.env[rest]
    if (!secret) throw new DeviceError('credentials', `the credential reference ${reference} names an environment variable that is not set`)
  } else if (scheme === 'file') {
    try {
      secret = readFileSync(rest, 'utf8')
    } catch (error) {
      throw new DeviceError('credentials', `the credential reference ${reference} names a file that cannot be read: ${(error as NodeJS.ErrnoException).code}`)
    }
  } else {
    // The reference is not echoed: a secret pasted in its place must not reach a log or a history.
    throw new DeviceError('credentials', 'a credential reference must be env:NAME or file:/path')
  }
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret) ? { privateKey: secret } : { password: secret.trim() }
}
