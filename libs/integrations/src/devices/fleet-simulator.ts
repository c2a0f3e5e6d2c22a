// An OS-upgrade simulator, for fleet-scale tests, benchmarks and demos only (the nornir3 demo's acmeos.upgrade_os):
// devices that take a seeded latency to upgrade and refuse some versions at a seeded rate. It is an HTTP server, run
// out of the worker's process, so that a worker killed in the middle of an upgrade leaves the upgrade going on, as on
// a router; its log then shows whether each device was upgraded exactly once. FleetSimulatorClient passes the same
// contract suite (os-upgrader.contract.ts) a real upgrader must.
//
// The simulator has no inventory of its own: a device it has never seen is created at the version the caller's
// inventory records (`?adopt=<version>` on a read, `adopt` in an upgrade), so it mirrors whichever inventory first
// asks about it. Asked about an unknown device without that, it answers 404.
//
//   GET  /devices/{name}[?adopt=<version>]  200 {name, os_version, upgrading}
//   POST /devices/{name}/upgrade             {version, request_id, adopt?} → 200 {request_id, device, changed,
//                                            from_version, version} | 422 (refused) | 409 (another request runs)
//   GET  /log                                200 {entries: UpgradeLogEntry[]}
import { existsSync, readFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { Agent as HttpAgent, createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { DeviceError } from './driver.js'
import type { FleetDevice, OsUpgrader, UpgradeOutcome } from './os-upgrader.js'

export interface FleetSimulatorProfile {
  /** the same seed gives the same latencies and failures (default 1) */
  seed?: number
  /** an upgrade takes between these many milliseconds, bounds included (default [10, 2000], as in the nornir3 demo) */
  latency_ms?: [number, number]
  /** the share of (device, version) pairs whose upgrade fails (default 0.015) */
  failure_rate?: number
}

/** One upgrade performed: started and finished on the device. */
export interface UpgradeLogEntry {
  /** when it finished */
  at: string
  device: string
  request_id: string
  from_version: string
  to_version: string
  outcome: 'upgraded' | 'failed'
}

/**
 * FNV-1a, then murmur3's finalizer (names such as leaf07/leaf08 differ in one character: FNV alone leaves their
 * hashes close), as a share in [0, 1). Integer arithmetic only: the same on every machine.
 */
function hash01(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296
}

/**
 * How an upgrade of `device` to `version` goes under `profile`: a function of those alone, not of the order of calls,
 * so that parallel groups, reruns and benchmarks all see the same fleet. The latency belongs to the device (a slow
 * router is slow for every version); whether it fails, to the device and the version (it fails again, for that one).
 */
export function simulatedOutcome(profile: FleetSimulatorProfile, device: string, version: string): { latency_ms: number; fails: boolean } {
  const seed = profile.seed ?? 1
  const [min, max] = profile.latency_ms ?? [10, 2000]
  return {
    latency_ms: min + Math.floor(hash01(`${seed}\0latency\0${device}`) * (max - min + 1)),
    fails: hash01(`${seed}\0fails\0${device}\0${version}`) < (profile.failure_rate ?? 0.015),
  }
}

interface Answer {
  status: number
  body: Record<string, unknown>
}

interface SavedState {
  devices: Record<string, string>
  log: UpgradeLogEntry[]
  outcomes: { device: string; request_id: string; answer: Answer }[]
}

const MAX_BODY = 64 * 1024

export class FleetSimulator {
  private readonly versions = new Map<string, string>()
  private readonly entries: UpgradeLogEntry[] = []
  /** by device, then request id: what a repeated request is answered */
  private readonly answers = new Map<string, Map<string, Answer>>()
  /** by device: the upgrade under way */
  private readonly running = new Map<string, { requestId: string; done: Promise<Answer> }>()
  private server: Server | undefined
  /** open connections and how many requests each has under way, so that close() can end each once it is done */
  private readonly connections = new Map<Socket, number>()
  private closing = false
  private saveTimer: NodeJS.Timeout | undefined
  private saving: Promise<void> = Promise.resolve()

  constructor(
    private readonly profile: FleetSimulatorProfile = {},
    private readonly options: { stateFile?: string } = {},
  ) {
    if (options.stateFile && existsSync(options.stateFile)) this.load(options.stateFile)
  }

  /** Serves the API; resolves to its base URL, e.g. http://127.0.0.1:41234. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('the fleet simulator is already listening')
    const server = createServer((req, res) => void this.handle(req, res))
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, 0)
      socket.on('close', () => this.connections.delete(socket))
    })
    this.server = server
    this.closing = false
    // A fleet run opens a connection per device at once: a short accept queue would make the kernel drop some.
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        this.server = undefined
        reject(error)
      })
      server.listen({ port, host, backlog: 4096 }, () => {
        server.removeAllListeners('error')
        resolve()
      })
    })
    const address = server.address() as AddressInfo
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  }

  /** Stops serving once the upgrades under way have finished (as they would on the devices), and writes the state. */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) {
      this.closing = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done))
      // A connection with a request under way ends after its answer (handle); the rest now. Keep-alive clients open
      // connections ahead of need, and node keeps those (no request yet) open through server.close().
      for (const [socket, requests] of this.connections) if (requests === 0) socket.destroy()
      await closed
    }
    clearTimeout(this.saveTimer)
    this.saveTimer = undefined
    await this.saving
    if (this.options.stateFile) await this.write(this.options.stateFile)
  }

  /** One entry per upgrade performed, in the order they finished. */
  log(): UpgradeLogEntry[] {
    return this.entries.map((e) => ({ ...e }))
  }

  versionOf(name: string): string | undefined {
    return this.versions.get(name)
  }

  /** For tests and demos: someone put `version` on the device by hand (or it is a new device). Not logged. */
  setVersion(name: string, version: string): void {
    this.versions.set(name, version)
    this.changed()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket
    this.connections.set(socket, (this.connections.get(socket) ?? 0) + 1)
    res.on('close', () => {
      if (!this.connections.has(socket)) return
      const left = this.connections.get(socket)! - 1
      this.connections.set(socket, left)
      if (this.closing && left === 0) socket.destroy()
    })
    let answer: Answer
    try {
      answer = await this.route(req)
    } catch (error) {
      answer = error instanceof URIError ? fail(400, 'the device name is not valid percent-encoding') : fail(500, `the simulator failed: ${String(error)}`)
    }
    const body = JSON.stringify(answer.body)
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(this.closing ? { connection: 'close' } : {}) })
    res.end(body)
  }

  private async route(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const path = url.pathname.split('/').slice(1)
    const method = req.method ?? 'GET'
    if (path.length === 1 && path[0] === 'log') return method === 'GET' ? { status: 200, body: { entries: this.log() } } : fail(405, `${method} /log: only GET`)
    if (path[0] === 'devices' && path[1] && path.length === 2) {
      if (method !== 'GET') return fail(405, `${method} ${url.pathname}: only GET`)
      const name = decodeURIComponent(path[1])
      const version = this.known(name, url.searchParams.get('adopt') || undefined)
      if (version === undefined) return unknownDevice(name)
      return { status: 200, body: { name, os_version: version, upgrading: this.running.has(name) } }
    }
    if (path[0] === 'devices' && path[1] && path.length === 3 && path[2] === 'upgrade') {
      if (method !== 'POST') return fail(405, `${method} ${url.pathname}: only POST`)
      const name = decodeURIComponent(path[1])
      const body = await readJson(req)
      if (!body) return fail(400, 'expected a JSON object {version, request_id, adopt?}')
      const { version, request_id, adopt } = body
      if (typeof version !== 'string' || !version || typeof request_id !== 'string' || !request_id || (adopt != null && typeof adopt !== 'string'))
        return fail(400, 'expected {version, request_id, adopt?}: non-empty strings')
      return this.upgrade(name, version, request_id, adopt || undefined)
    }
    return fail(404, `no such resource: ${method} ${url.pathname}`)
  }

  private async upgrade(name: string, version: string, requestId: string, adopt: string | undefined): Promise<Answer> {
    const from = this.known(name, adopt)
    if (from === undefined) return unknownDevice(name)
    const answered = this.answers.get(name)?.get(requestId)
    if (answered) return answered
    const running = this.running.get(name)
    if (running) return running.requestId === requestId ? running.done : fail(409, `${name}: an upgrade is in progress (request ${running.requestId})`)
    if (from === version) return this.answer(name, requestId, { status: 200, body: { request_id: requestId, device: name, changed: false, from_version: from, version } })
    const done = this.perform(name, from, version, requestId)
    this.running.set(name, { requestId, done })
    return done
  }

  private async perform(name: string, from: string, to: string, requestId: string): Promise<Answer> {
    const { latency_ms, fails } = simulatedOutcome(this.profile, name, to)
    await sleep(latency_ms)
    if (!fails) this.versions.set(name, to)
    this.entries.push({ at: new Date().toISOString(), device: name, request_id: requestId, from_version: from, to_version: to, outcome: fails ? 'failed' : 'upgraded' })
    this.running.delete(name)
    return this.answer(
      name,
      requestId,
      fails ? fail(422, `${name}: upgrade to ${to} failed: the image did not install (simulated)`) : { status: 200, body: { request_id: requestId, device: name, changed: true, from_version: from, version: to } },
    )
  }

  private answer(name: string, requestId: string, answer: Answer): Answer {
    let byRequest = this.answers.get(name)
    if (!byRequest) this.answers.set(name, (byRequest = new Map<string, Answer>()))
    byRequest.set(requestId, answer)
    this.changed()
    return answer
  }

  /** The device's version; an unknown device is created at `adopt` (the inventory's word) when given. */
  private known(name: string, adopt: string | undefined): string | undefined {
    const version = this.versions.get(name)
    if (version !== undefined || adopt === undefined) return version
    this.setVersion(name, adopt)
    return adopt
  }

  private changed(): void {
    const file = this.options.stateFile
    if (!file || this.saveTimer) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      // A failed write is not lost: close() writes again, and reports its own failure.
      this.saving = this.saving.then(() => this.write(file)).catch(() => undefined)
    }, 200)
  }

  /** Whole or not at all: a crash while writing leaves the previous state. */
  private async write(file: string): Promise<void> {
    const state: SavedState = {
      devices: Object.fromEntries(this.versions),
      log: this.entries,
      outcomes: [...this.answers].flatMap(([device, byRequest]) => [...byRequest].map(([request_id, answer]) => ({ device, request_id, answer }))),
    }
    const temporary = `${file}.${process.pid}.tmp`
    await writeFile(temporary, JSON.stringify(state))
    await rename(temporary, file)
  }

  private load(file: string): void {
    let state: SavedState
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as SavedState
      if (typeof state.devices !== 'object' || !Array.isArray(state.log) || !Array.isArray(state.outcomes)) throw new Error('expected {devices, log, outcomes}')
    } catch (error) {
      throw new Error(`${file} is not a fleet simulator's state: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    for (const [name, version] of Object.entries(state.devices)) this.versions.set(name, version)
    this.entries.push(...state.log)
    for (const { device, request_id, answer } of state.outcomes) {
      let byRequest = this.answers.get(device)
      if (!byRequest) this.answers.set(device, (byRequest = new Map<string, Answer>()))
      byRequest.set(request_id, answer)
    }
  }
}

const fail = (status: number, error: string): Answer => ({ status, body: { error } })

const unknownDevice = (name: string) => fail(404, `${name}: no such device (the simulator adopts an unknown device at the version given as adopt)`)

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) return null
    chunks.push(chunk)
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null
  } catch {
    return null
  }
}

interface Call {
  method?: 'GET' | 'POST'
  body?: string
  signal?: AbortSignal
}

/**
 * The OsUpgrader for the fleet simulator's HTTP API. node:http with kept-alive connections rather than fetch: a fleet
 * task makes thousands of calls a second, and fetch costs several times the CPU per call.
 */
export class FleetSimulatorClient implements OsUpgrader {
  readonly name = 'fleet-simulator'
  private readonly base: URL
  private readonly agent: HttpAgent

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl.replace(/\/+$/, ''))
    this.agent = new (this.base.protocol === 'https:' ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 1024 })
  }

  async version(device: FleetDevice, signal?: AbortSignal): Promise<string> {
    const adopt = device.os_version ? `?adopt=${encodeURIComponent(device.os_version)}` : ''
    const body = await this.call(device, `/devices/${encodeURIComponent(device.name)}${adopt}`, { signal })
    if (typeof body.os_version !== 'string') throw garbled(device, body)
    return body.os_version
  }

  async upgrade(device: FleetDevice, version: string, requestId: string, signal?: AbortSignal): Promise<UpgradeOutcome> {
    // A cancelled call stops waiting, not the upgrade: the simulated device goes on, as a router would once its
    // upgrade has begun, and a retry with the same requestId joins it or gets its outcome.
    const body = await this.call(device, `/devices/${encodeURIComponent(device.name)}/upgrade`, {
      method: 'POST',
      body: JSON.stringify({ version, request_id: requestId, ...(device.os_version ? { adopt: device.os_version } : {}) }),
      signal,
    })
    if (typeof body.changed !== 'boolean' || typeof body.from_version !== 'string' || typeof body.version !== 'string') throw garbled(device, body)
    return { changed: body.changed, from_version: body.from_version, version: body.version }
  }

  private async call(device: FleetDevice, path: string, init: Call): Promise<Record<string, unknown>> {
    let status: number
    let text: string
    try {
      ;({ status, text } = await this.send(path, init))
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason
      throw new DeviceError('unreachable', `${device.name} (simulated) did not answer: ${reason(error)}`)
    }
    let body: Record<string, unknown> | null = null
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
    } catch {
      // not JSON: a proxy's page, say
    }
    const said = typeof body?.error === 'string' ? body.error : `HTTP ${status}`
    if (status >= 200 && status < 300 && body) return body
    // 409: the earlier attempt still runs on the device; a retry after it ends gets its outcome or goes ahead.
    if (status === 409) throw new DeviceError('unreachable', said)
    if (status >= 500 || !body) throw new DeviceError('unreachable', `${device.name} (simulated) did not answer: ${said}`)
    // 422: the device refused the upgrade; 404: neither it nor the inventory knows its version; 400: a bug here.
    throw new DeviceError('operation_failed', said)
  }

  private send(path: string, init: Call): Promise<{ status: number; text: string }> {
    const request = this.base.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base),
        { method: init.method ?? 'GET', agent: this.agent, signal: init.signal, headers: init.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(init.body) } },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(init.body)
    })
  }
}

const garbled = (device: FleetDevice, body: Record<string, unknown>) => new DeviceError('unreachable', `${device.name} (simulated) answered something unexpected: ${JSON.stringify(body).slice(0, 200)}`)

/** The error's message, with its cause's where it has one (connect ECONNREFUSED, socket hang up). */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message
}
