// The SSH sessions of the frr driver against a local SSH server (ssh2's Server) that can show either of two host
// keys: a key that is not the known one is refused during the key exchange, before any credential is offered;
// trust on first use records the first key and refuses another; a key credential is the only one offered; an
// abort closes the connection, except while a change is applied. Real routers: test/e2e/frr-lab.test.ts.
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server as TcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Logger, type LoggerService } from '@nestjs/common'
import { type ParsedKey, utils } from 'ssh2'
import { cloneDatabase, type TestDatabase } from '../../../../test/support/database.js'
import { sshKeyPair, startSshServer } from '../../../../test/support/ssh-server.js'
import { PrismaService } from '#persistence/index.js'
import { DeviceError, type DeviceTarget } from './driver.js'
import { fingerprintOf, knownKeysFor, PrismaHostKeyRecord } from './host-keys.js'
import { withSession } from './ssh.js'

const keyPair = sshKeyPair
const blobOf = (publicKey: string) => (utils.parseKey(publicKey) as ParsedKey).getPublicSSH()
const hostA = keyPair()
const hostB = keyPair()
const login = keyPair()
const PASSWORD = 'open sesame'

/** A stand-in router with the given host key, taking the login key and the password. */
const sshServer = (hostKey: { private: string }) => startSshServer({ hostKey, loginKey: login.public, password: PASSWORD })

/** A TCP server that only counts the connections it gets. */
async function countingServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0
  const server: TcpServer = createServer((socket) => {
    connections++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, connections: () => connections, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

let scratch: string
let db: TestDatabase
let prisma: PrismaService
const warnings: string[] = []

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'loom-ssh-'))
  process.env.LOOM_TEST_DEVICE_KEY = login.private
  process.env.LOOM_TEST_DEVICE_PASSWORD = PASSWORD
  db = await cloneDatabase()
  prisma = new PrismaService(db.url)
  const quiet = () => undefined
  Logger.overrideLogger({ log: quiet, error: quiet, debug: quiet, verbose: quiet, warn: (message: unknown) => warnings.push(String(message)) } satisfies LoggerService)
})
after(async () => {
  rmSync(scratch, { recursive: true, force: true })
  await prisma?.$disconnect()
  await db?.drop()
})

let files = 0
/** A known_hosts file with these lines. */
function knownHosts(...lines: string[]): string {
  const path = join(scratch, `known_hosts.${++files}`)
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}
const entry = (port: number, publicKey: string) => `[127.0.0.1]:${port} ${publicKey.trim().split(/\s+/).slice(0, 2).join(' ')}`
const target = (port: number, extra: Partial<DeviceTarget> = {}): DeviceTarget => ({
  device: 'lab-r1',
  vendor: 'frr',
  host: '127.0.0.1',
  port,
  username: 'loom',
  credentials: 'env:LOOM_TEST_DEVICE_KEY',
  ...extra,
})
const run = (t: DeviceTarget, command = 'true', options = {}) => withSession(t, (s) => s.run(command), options)
const hostKeyRefusal = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof DeviceError && e.kind === 'host_key' && e.name === 'HostKeyMismatch', String(e))
  assert.match(e.message, pattern)
  return true
}

describe('SSH to devices: host keys, credentials, cancellation', () => {
  test('the host key known_hosts lists is accepted; a key credential is the only one offered', async () => {
    const server = await sshServer(hostA)
    try {
      const ran = await run(target(server.port, { known_hosts: knownHosts(entry(server.port, hostA.public)) }), 'show version')
      assert.deepEqual(ran, { code: 0, stdout: 'ran show version\n', stderr: '' })
      assert.ok(server.auth.length > 0 && server.auth.every((m) => m === 'publickey'), server.auth.join())
    } finally {
      await server.close()
    }
  })

  test('another host key is refused during the key exchange, naming the device and both fingerprints: no password is sent', async () => {
    const server = await sshServer(hostB)
    try {
      const t = target(server.port, { credentials: 'env:LOOM_TEST_DEVICE_PASSWORD', known_hosts: knownHosts(entry(server.port, hostA.public)) })
      await assert.rejects(
        run(t),
        hostKeyRefusal(
          new RegExp(
            `^lab-r1 \\(127\\.0\\.0\\.1:${server.port}\\): host key mismatch: it showed ssh-ed25519 ${fingerprintOf(blobOf(hostB.public)).replace(/[+/]/g, '\\$&')}, .* lists ssh-ed25519 ${fingerprintOf(blobOf(hostA.public)).replace(/[+/]/g, '\\$&')}; refused before authentication, no credential was sent$`,
          ),
        ),
      )
      // An unlisted host is refused the same way.
      await assert.rejects(run({ ...t, known_hosts: knownHosts(entry(server.port + 1, hostB.public)) }), hostKeyRefusal(/host key mismatch: it showed ssh-ed25519 SHA256:\S+, and .* lists no key for 127\.0\.0\.1 port \d+/))
      assert.deepEqual(server.auth, [], 'no authentication was attempted')
      assert.deepEqual(server.commands, [])
    } finally {
      await server.close()
    }
  })

  test('a password credential offers the password only', async () => {
    const server = await sshServer(hostA)
    try {
      await run(target(server.port, { credentials: 'env:LOOM_TEST_DEVICE_PASSWORD', known_hosts: knownHosts(entry(server.port, hostA.public)) }))
      assert.deepEqual(server.auth, ['password'])
    } finally {
      await server.close()
    }
  })

  test('a refused login fails as a credentials problem (not retried as an unreachable device)', async () => {
    const server = await sshServer(hostA)
    process.env.LOOM_TEST_WRONG_PASSWORD = 'not it'
    try {
      await assert.rejects(run(target(server.port, { credentials: 'env:LOOM_TEST_WRONG_PASSWORD', known_hosts: knownHosts(entry(server.port, hostA.public)) })), (e: unknown) => {
        assert.ok(e instanceof DeviceError && e.kind === 'credentials', String(e))
        assert.match(e.message, /^lab-r1 \(127\.0\.0\.1:\d+\) refused the login of loom/)
        return true
      })
    } finally {
      await server.close()
    }
  })

  test('without a known_hosts file (and no trust on first use) nothing connects', async () => {
    const tcp = await countingServer()
    try {
      await assert.rejects(run(target(tcp.port)), hostKeyRefusal(/^lab-r1 \(127\.0\.0\.1:\d+\): no known_hosts file \(LOOM_DEVICE_KNOWN_HOSTS\)/))
      await assert.rejects(run(target(tcp.port, { host_keys: 'tofu' })), hostKeyRefusal(/trust on first use needs a host key record/))
      await sleep(50)
      assert.equal(tcp.connections(), 0)
    } finally {
      await tcp.close()
    }
  })

  test('trust on first use: the first key is recorded (with a warning), the same key accepted, another refused before authentication', async () => {
    const record = { hostKeyRecord: new PrismaHostKeyRecord(prisma) }
    const first = await sshServer(hostA)
    const t = (port: number) => target(port, { device: 'tofu-r1', host_keys: 'tofu' })
    try {
      await run(t(first.port), 'true', record)
      await run(t(first.port), 'true', record)
      const row = await prisma.deviceHostKey.findUniqueOrThrow({ where: { device: 'tofu-r1' } })
      assert.deepEqual([row.keyType, row.fingerprint, row.firstHost], ['ssh-ed25519', fingerprintOf(blobOf(hostA.public)), `127.0.0.1:${first.port}`])
      assert.equal(warnings.filter((w) => w.includes('tofu-r1')).length, 1, 'one warning, for the first trust only')
      assert.match(warnings.find((w) => w.includes('tofu-r1'))!, /^trusted the SSH host key of tofu-r1 on first use .*: ssh-ed25519 SHA256:/)
    } finally {
      await first.close()
    }
    // The device's address now answers with another key (a host that is not the router).
    const impostor = await sshServer(hostB)
    try {
      await assert.rejects(
        run(t(impostor.port), 'true', record),
        hostKeyRefusal(
          new RegExp(
            `^tofu-r1 \\(127\\.0\\.0\\.1:${impostor.port}\\): host key mismatch: it showed ssh-ed25519 ${fingerprintOf(blobOf(hostB.public)).replace(/[+/]/g, '\\$&')}, but ssh-ed25519 ${fingerprintOf(blobOf(hostA.public)).replace(/[+/]/g, '\\$&')} was trusted on first use`,
          ),
        ),
      )
      assert.deepEqual(impostor.auth, [])
      // With a known_hosts file too: a host it lists is held to it; one it does not list falls back to the first key.
      const listed = knownHosts(entry(impostor.port, hostB.public))
      await run(target(impostor.port, { device: 'tofu-r1', host_keys: 'tofu', known_hosts: listed }), 'true', record)
      await assert.rejects(run(target(impostor.port, { device: 'tofu-r1', host_keys: 'tofu', known_hosts: knownHosts(entry(1, hostB.public)) }), 'true', record), hostKeyRefusal(/trusted on first use/))
    } finally {
      await impostor.close()
    }
  })

  test('trust on first use by two workers at once: both hold the device to the one key recorded first', async () => {
    const record = new PrismaHostKeyRecord(prisma)
    const a = blobOf(hostA.public)
    const b = blobOf(hostB.public)
    const [one, two] = await Promise.all([record.trustOnFirstUse('race-r1', '192.0.2.1:22', a), record.trustOnFirstUse('race-r1', '192.0.2.1:22', b)])
    assert.equal([one.first, two.first].filter(Boolean).length, 1)
    assert.ok(one.key.equals(two.key))
  })

  test('known_hosts: hashed entries, patterns and negations, @revoked keys', () => {
    const a = blobOf(hostA.public)
    const b = blobOf(hostB.public)
    const key = (k: Buffer) => `ssh-ed25519 ${k.toString('base64')}`
    // `ssh-keygen -H`: |1|salt|HMAC-SHA1(salt, host)
    const salt = Buffer.from('0123456789abcdefghij')
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.9.0.1]:2222').digest('base64')}`
    const file = knownHosts('# a comment', `${hashed} ${key(a)}`, `10.8.*,!10.8.0.66 ${key(b)}`, `@revoked * ${key(b)}`, `@cert-authority *.example.net ${key(a)}`)
    assert.deepEqual(knownKeysFor(file, '10.9.0.1', 2222).keys, [a])
    assert.deepEqual(knownKeysFor(file, '10.9.0.1', 22).keys, [])
    assert.deepEqual(knownKeysFor(file, '10.8.0.1', 22).keys, [b])
    assert.deepEqual(knownKeysFor(file, '10.8.0.66', 22).keys, [])
    assert.deepEqual(knownKeysFor(file, '10.8.0.1', 22).revoked, [b])
  })

  test('a revoked key is refused even where it is listed', async () => {
    const server = await sshServer(hostA)
    try {
      const listed = entry(server.port, hostA.public)
      await assert.rejects(run(target(server.port, { known_hosts: knownHosts(listed, `@revoked * ${hostA.public.trim()}`) })), hostKeyRefusal(/is marked @revoked/))
      assert.deepEqual(server.auth, [])
    } finally {
      await server.close()
    }
  })

  test('an abort closes the connection at once; before connecting, nothing connects', async () => {
    const server = await sshServer(hostA)
    try {
      const abort = new AbortController()
      const t = target(server.port, { known_hosts: knownHosts(entry(server.port, hostA.public)), signal: abort.signal })
      const started = Date.now()
      const running = run(t, 'sleep 5000')
      setTimeout(() => abort.abort(new Error('cancelled by the test')), 300)
      await assert.rejects(running, /cancelled by the test/)
      assert.ok(Date.now() - started < 3000, 'it did not wait for the command')
      await sleep(100)
      assert.equal(server.closed, 1, 'the connection is closed')

      const tcp = await countingServer()
      await assert.rejects(run({ ...t, port: tcp.port }), /cancelled by the test/)
      await tcp.close()
      assert.equal(tcp.connections(), 0)
    } finally {
      await server.close()
    }
  })

  test('an abort while a change is applied lets it finish; the next command is refused', async () => {
    const server = await sshServer(hostA)
    try {
      const abort = new AbortController()
      const t = target(server.port, { known_hosts: knownHosts(entry(server.port, hostA.public)), signal: abort.signal })
      const outcome: string[] = []
      const session = withSession(t, async (s) => {
        setTimeout(() => abort.abort(new Error('cancelled by the test')), 100)
        outcome.push((await s.run('sleep 600', '', { changes: true })).stdout.trim())
        outcome.push((await s.run('show running-config')).stdout)
      })
      await assert.rejects(session, /cancelled by the test/)
      assert.deepEqual(outcome, ['ran sleep 600'])
      assert.deepEqual(server.commands, ['sleep 600'])
    } finally {
      await server.close()
    }
  })
})
