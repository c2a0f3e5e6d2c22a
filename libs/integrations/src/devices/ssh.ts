// Commands over SSH (ssh2): one connection per call of a driver method, closed after it.
import { readFileSync } from 'node:fs'
import { Client, type ConnectConfig } from 'ssh2'
import { resolveCredential } from './credentials.js'
import { DeviceError, type DeviceTarget } from './driver.js'

export interface Exec {
  code: number
  stdout: string
  stderr: string
}

export interface Session {
  run(command: string, stdin?: string): Promise<Exec>
}

/** The host keys known_hosts lists for `host` (plain entries, as the FRR lab writes them). */
function knownKeys(path: string, host: string, port: number): Buffer[] {
  const names = port === 22 ? [host] : [`[${host}]:${port}`]
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([hosts]) => hosts && hosts.split(',').some((h) => names.includes(h)))
    .map(([, , key]) => Buffer.from(key ?? '', 'base64'))
}

/** Opens a session to the device, runs `work`, and closes it whatever happens. */
export async function withSession<T>(target: DeviceTarget, work: (session: Session) => Promise<T>): Promise<T> {
  const port = target.port ?? 22
  const config: ConnectConfig = { host: target.host, port, username: target.username, readyTimeout: 10_000, ...resolveCredential(target.credentials) }
  if (target.known_hosts) {
    const keys = knownKeys(target.known_hosts, target.host, port)
    config.hostVerifier = (key: Buffer) => keys.some((k) => k.equals(key))
  }
  const client = new Client()
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve())
    client.once('error', (error) => reject(new DeviceError('unreachable', `${target.device} (${target.host}:${port}) cannot be reached over SSH: ${error.message}`)))
    client.connect(config)
  })
  const session: Session = {
    run: (command, stdin) =>
      new Promise<Exec>((resolve, reject) => {
        client.exec(command, (error, stream) => {
          if (error) return reject(new DeviceError('unreachable', `${target.device}: ${error.message}`))
          let stdout = ''
          let stderr = ''
          stream.on('data', (d: Buffer) => (stdout += d.toString()))
          stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
          stream.on('close', (code: number | null) => resolve({ code: code ?? -1, stdout, stderr }))
          stream.end(stdin ?? '')
        })
      }),
  }
  try {
    return await work(session)
  } finally {
    client.end()
  }
}
