// Commands over SSH (ssh2): one connection per call of a driver method, closed after it. The device's host key is
// checked during the key exchange, before any credential is sent: against the known_hosts file, or (trust on
// first use) against the key the device showed first. A private key is the only credential offered when it is one.
import { Logger } from '@nestjs/common'
import type * as Ssh2 from 'ssh2'
import { resolveCredential } from './credentials.js'
import { DeviceError, type DeviceTarget } from './driver.js'
import { describeKey, type HostKeyRecord, type KnownKeys, knownKeysFor } from './host-keys.js'

export interface Exec {
  code: number
  stdout: string
  stderr: string
}

export interface Session {
  /**
   * Runs a command. One that `changes` the device is not interrupted by an abort (a router is never left half
   * configured): it finishes, and the session's next command is refused instead.
   */
  run(command: string, stdin?: string, options?: { changes?: boolean }): Promise<Exec>
}

export interface SessionOptions {
  /** where trust on first use records each device's first key; needed when the target's host_keys is `tofu` */
  hostKeyRecord?: HostKeyRecord
}

const log = new Logger('Devices')

/** What an abort rejects with: the signal's reason (an activity's CancelledFailure), or an error saying so. */
function abortReason(signal: AbortSignal, target: DeviceTarget): Error {
  return signal.reason instanceof Error ? signal.reason : new DeviceError('unreachable', `${target.device}: stopped (cancelled)`)
}

type Verdict = { ok: true } | { ok: false; error: DeviceError }

/**
 * How a presented host key is judged for `target`. Refusals name the device, where it was reached, the key it
 * showed and the key(s) expected.
 */
function hostKeyJudge(target: DeviceTarget, port: number, options: SessionOptions): (key: Buffer) => Promise<Verdict> {
  const where = `${target.device} (${target.host}:${port})`
  const policy = target.host_keys ?? 'known_hosts'
  const refuse = (problem: string): Verdict => ({ ok: false, error: new DeviceError('host_key', `${where}: ${problem}; refused before authentication, no credential was sent`) })
  if (!target.known_hosts && policy === 'known_hosts')
    throw new DeviceError('host_key', `${where}: no known_hosts file (LOOM_DEVICE_KNOWN_HOSTS) to check its host key against; not connecting`)
  if (policy === 'tofu' && !options.hostKeyRecord) throw new DeviceError('host_key', `${where}: trust on first use needs a host key record, and this driver has none; not connecting`)
  let known: KnownKeys | undefined
  try {
    // Read before connecting (and for each connection: an edited file counts at once).
    known = target.known_hosts ? knownKeysFor(target.known_hosts, target.host, port) : undefined
  } catch (error) {
    throw new DeviceError('host_key', `${where}: cannot read the known_hosts file ${target.known_hosts}: ${(error as Error).message}; not connecting`)
  }
  return async (key) => {
    if (known) {
      if (known.revoked.some((k) => k.equals(key))) return refuse(`host key ${describeKey(key)} is marked @revoked in ${target.known_hosts}`)
      if (known.keys.some((k) => k.equals(key))) return { ok: true }
      if (known.keys.length) return refuse(`host key mismatch: it showed ${describeKey(key)}, ${target.known_hosts} lists ${known.keys.map(describeKey).join(', ')}`)
      if (policy === 'known_hosts') return refuse(`host key mismatch: it showed ${describeKey(key)}, and ${target.known_hosts} lists no key for ${target.host}${port === 22 ? '' : ` port ${port}`}`)
    }
    const trusted = await options.hostKeyRecord!.trustOnFirstUse(target.device, `${target.host}:${port}`, key)
    if (trusted.first) log.warn(`trusted the SSH host key of ${target.device} on first use (LOOM_DEVICE_HOST_KEYS=tofu): ${describeKey(key)} at ${target.host}:${port}`)
    if (trusted.key.equals(key)) return { ok: true }
    return refuse(
      `host key mismatch: it showed ${describeKey(key)}, but ${describeKey(trusted.key)} was trusted on first use (at ${trusted.first_host}, ${trusted.first_seen_at.toISOString()}); ` +
        `if the router was replaced, delete its row from device_host_keys to trust its new key`,
    )
  }
}

/** Opens a session to the device, runs `work`, and closes it whatever happens. */
export async function withSession<T>(target: DeviceTarget, work: (session: Session) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const port = target.port ?? 22
  const signal = target.signal
  if (signal?.aborted) throw abortReason(signal, target)
  const judge = hostKeyJudge(target, port, options)
  const credential = resolveCredential(target.credentials)
  let refusal: DeviceError | undefined
  const config: Ssh2.ConnectConfig = {
    host: target.host,
    port,
    username: target.username,
    readyTimeout: 10_000,
    ...credential,
    // The one method the credential is for: a key is never sent with a password, nor a password tried after a key.
    authHandler: 'privateKey' in credential ? ['publickey'] : ['password'],
    // Called during the key exchange, before the server can ask for any credential.
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      judge(key).then(
        (verdict) => {
          if (!verdict.ok) refusal = verdict.error
          verify(verdict.ok)
        },
        (error: Error) => {
          refusal = new DeviceError('unreachable', `${target.device}: cannot check its host key: ${error.message}`)
          verify(false)
        },
      )
    },
  }
  // Loaded at the first session: ~0.1 s that every gateway and worker start would otherwise spend, most never using SSH.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = new (require('ssh2') as typeof Ssh2).Client()
  // Commands under way: an abort rejects them and closes the connection, unless one of them changes the device.
  const pending = new Set<(error: Error) => void>()
  let changing = 0
  const stop = () => {
    if (changing > 0) return
    client.destroy()
    for (const reject of pending) reject(abortReason(signal!, target))
  }
  signal?.addEventListener('abort', stop, { once: true })
  let connected = false
  client.on('error', (error: Error & { level?: string }) => {
    const failure = connected
      ? new DeviceError('unreachable', `${target.device} (${target.host}:${port}): the SSH connection failed: ${error.message}`)
      : (refusal ??
        (error.level === 'client-authentication'
          ? new DeviceError('credentials', `${target.device} (${target.host}:${port}) refused the login of ${target.username}: ${error.message}`)
          : new DeviceError('unreachable', `${target.device} (${target.host}:${port}) cannot be reached over SSH: ${error.message}`)))
    for (const reject of pending) reject(failure)
  })
  client.on('close', () => {
    const failure = refusal ?? new DeviceError('unreachable', `${target.device} (${target.host}:${port}) closed the SSH connection`)
    for (const reject of pending) reject(failure)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      pending.add(reject)
      client.once('ready', () => {
        pending.delete(reject)
        connected = true
        resolve()
      })
      client.connect(config)
    })
    const session: Session = {
      run: (command, stdin, { changes = false } = {}) => {
        if (signal?.aborted) return Promise.reject(abortReason(signal, target))
        if (changes) changing++
        return new Promise<Exec>((resolve, reject) => {
          pending.add(reject)
          const settle = () => {
            pending.delete(reject)
            if (changes && --changing === 0 && signal?.aborted) stop()
          }
          client.exec(command, (error, stream) => {
            if (error) {
              settle()
              return reject(new DeviceError('unreachable', `${target.device}: ${error.message}`))
            }
            let stdout = ''
            let stderr = ''
            stream.on('data', (d: Buffer) => (stdout += d.toString()))
            stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
            stream.on('close', (code: number | null) => {
              settle()
              resolve({ code: code ?? -1, stdout, stderr })
            })
            stream.end(stdin ?? '')
          })
        })
      },
    }
    return await work(session)
  } finally {
    signal?.removeEventListener('abort', stop)
    client.end()
  }
}
