// Credentials by reference: workflows and their histories carry `env:NAME` or `file:/path`, and only this
// module, inside an activity, turns one into the secret.
import { readSecretReference } from '../secret-reference.js'
import { DeviceError } from './driver.js'

export type Credential = { privateKey: string } | { password: string }

/** A device login: a private key (kept as it is) or a password. */
export function resolveCredential(reference: string): Credential {
  const read = readSecretReference(reference)
  if ('problem' in read) throw new DeviceError('credentials', `the device credential reference ${read.problem}`)
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(read.secret) ? { privateKey: read.secret } : { password: read.secret.trim() }
}
