// Secrets by reference, as LOOM_DEVICE_CREDENTIALS: the configuration (and so every workflow history) holds
// `env:NAME` or `file:/path`; only an activity, when it is about to use it, reads the secret itself.
import { readFileSync } from 'node:fs'
import { HookError } from './hook-error.js'

/** The secret a reference names; a `ConfigurationError` naming the variable (never the secret) when it cannot be read. */
export function resolveSecret(reference: string, variable: string): string {
  const [, scheme, rest] = /^(env|file):(.+)$/.exec(reference) ?? []
  let secret: string | undefined
  if (scheme === 'env') {
    secret = process.env[rest]
    if (!secret) throw new HookError('ConfigurationError', `${variable} names the environment variable ${rest}, which is not set on this worker`, false)
  } else if (scheme === 'file') {
    try {
      secret = readFileSync(rest, 'utf8')
    } catch (error) {
      throw new HookError('ConfigurationError', `${variable} names the file ${rest}, which cannot be read: ${(error as NodeJS.ErrnoException).code}`, false)
    }
  } else {
    throw new HookError('ConfigurationError', `${variable} must be a reference, env:NAME or file:/path`, false)
  }
  secret = secret.trim()
  if (!secret) throw new HookError('ConfigurationError', `${variable} names an empty secret`, false)
  return secret
}
