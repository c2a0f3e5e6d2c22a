import { readSecretReference } from '../secret-reference.js'
import { HookError } from './hook-error.js'

/** The secret a reference names; a `ConfigurationError` naming the variable (never the secret) when it cannot be read. */
export function resolveSecret(reference: string, variable: string): string {
  const read = readSecretReference(reference)
  if ('problem' in read) throw new HookError('ConfigurationError', `${variable} ${read.problem}`, false)
  const secret = read.secret.trim()
  if (!secret) throw new HookError('ConfigurationError', `${variable} names an empty secret`, false)
  return secret
}
