import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type IncomingHttpHeaders } from 'node:http2'
import { join } from 'node:path'
import { commandLineOf, isAlive, isLauncher } from './data-dir-lock.js'
import { describeExit, type ManagedProcess, spawnManaged } from './managed-process.js'
import { projectRoot } from './project-root.js'

interface DevServerSettings {
  log_level: string
  sqlite_pragmas: Record<string, string>
  dynamic_config: Record<string, unknown>
}

export interface TemporalDevServer {
  process: ManagedProcess
  address: string
  uiUrl: string | undefined
}

/** Settings shared by `npm start` and the test harness, from temporal/dev-server.json. */
function devServerSettings(): DevServerSettings {
  return JSON.parse(readFileSync(join(projectRoot(), 'temporal', 'dev-server.json'), 'utf8')) as DevServerSettings
}

/**
 * Runs `temporal server start-dev` and resolves once its frontend answers.
 * `dbFile` undefined keeps everything in memory (tests); a file survives restarts (npm start).
 */
export async function startTemporalDevServer(opts: {
  cli: string
  dbFile: string | undefined
  port: number
  uiPort: number | undefined
  /** where the Web UI asks to decrypt payloads (Loom's /codec) */
  uiCodecEndpoint?: string
  namespace: string
  logFile: string
  readyTimeoutMs?: number
}): Promise<TemporalDevServer> {
  const settings = devServerSettings()
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace]
  args.push('--log-level', settings.log_level)
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort))
  if (opts.uiPort && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint)
  else args.push('--headless')
  if (opts.dbFile) {
    args.push('--db-filename', opts.dbFile)
    for (const [k, v] of Object.entries(settings.sqlite_pragmas)) args.push('--sqlite-pragma', `${k}=${v}`)
  }
  for (const [k, v] of Object.entries(settings.dynamic_config)) args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`)

  const log = openSync(opts.logFile, 'a')
  const server = spawnManaged('temporal', opts.cli, args, { stdio: ['ignore', log, log] })
  closeSync(log)
  const address = `127.0.0.1:${opts.port}`
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000)
  for (;;) {
    if (!server.running) {
      throw new Error(`the Temporal dev server exited (${describeExit(await server.exited)}) during start-up; see ${opts.logFile}:\n${tail(opts.logFile)}`)
    }
    if (await answers(address)) break
    if (Date.now() > deadline) {
      await server.stop()
      throw new Error(`the Temporal dev server did not answer on ${address} in time; see ${opts.logFile}:\n${tail(opts.logFile)}`)
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  return { process: server, address, uiUrl: opts.uiPort ? devServerUiUrl(opts.uiPort) : undefined }
}

/** Where the dev server's Web UI answers, given its port. */
export const devServerUiUrl = (uiPort: number): string => `http://localhost:${uiPort}`

const GET_SYSTEM_INFO = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo'

/**
 * True when a Temporal frontend answers GetSystemInfo on `address` — plaintext gRPC, as the dev server speaks it —
 * within `timeoutMs`. Asked with node's own HTTP/2 client: the Temporal client would cost the launcher ~0.5 s of CPU
 * to load, on two cores shared with everything else that starts.
 */
export function answers(address: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = connect(`http://${address}`)
    let settled = false
    const done = (ok: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      session.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    session.on('error', () => done(false))
    const call = session.request({ ':method': 'POST', ':path': GET_SYSTEM_INFO, 'content-type': 'application/grpc', te: 'trailers' })
    // A refusal may come as headers alone (trailers-only); an answer ends with its status in the trailers.
    call.on('response', (headers) => headers['grpc-status'] !== undefined && done(headers['grpc-status'] === '0'))
    call.on('trailers', (trailers: IncomingHttpHeaders) => done(trailers['grpc-status'] === '0'))
    call.on('error', () => done(false))
    call.on('close', () => done(false))
    call.resume()
    // One empty request message: not compressed, length 0.
    call.end(Buffer.alloc(5))
  })
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/**
 * A launcher killed with SIGKILL cannot stop its dev server (a Go binary, not told by IPC that its parent died).
 * The next start finds its pid file and stops it, rather than failing on "port in use". A dev server is stale only
 * when the launcher recorded with it is gone: one whose launcher still runs is left alone.
 */
export async function stopStaleDevServer(pidFile: string, dbFile: string): Promise<number | undefined> {
  if (!existsSync(pidFile)) return undefined
  const [pid, launcher] = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number)
  if (launcher !== undefined && launcher !== process.pid && isLauncher(launcher)) return undefined
  rmSync(pidFile, { force: true })
  const command = commandLineOf(pid)
  if (!command?.includes('start-dev') || !command.includes(dbFile)) return undefined // gone, or the pid was reused
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + 10_000
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  return pid
}

/** Records the dev server's pid with this launcher's, for stopStaleDevServer. */
export function recordDevServer(pidFile: string, server: TemporalDevServer): void {
  if (server.process.child.pid) writeFileSync(pidFile, `${server.process.child.pid} ${process.pid}\n`)
  void server.process.exited.then(() => rmSync(pidFile, { force: true }))
}
