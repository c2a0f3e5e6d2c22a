// `orchctl` (seed 004's name for `loom`): the real built binary, called through a symlink named orchctl as `npm link`
// installs it, against the real gateway and worker (manual driver: create_node waits for its configuration to be
// confirmed). Each command group, --json against the API's own body, every exit code, the 429 retry, the
// completion script and the seed's global options.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { ProcessDto } from '#contracts/index.js'
import { demoDevices } from '#persistence/index.js'
import { freePort, projectRoot } from '#runtime/index.js'
import { adminKey, apiClient } from '../../../test/support/api.js'
import { cloneDatabase } from '../../../test/support/database.js'
import { testConfig } from '../../../test/support/env.js'
import { startGateway } from '../../../test/support/gateway.js'
import { loomStack } from '../../../test/support/loom.js'

const MAIN = join(projectRoot(), 'dist', 'apps', 'cli', 'src', 'main.js')
const bin = mkdtempSync(join(tmpdir(), 'orchctl-bin-'))
const ORCHCTL = join(bin, 'orchctl')
symlinkSync(MAIN, ORCHCTL)
after(() => rmSync(bin, { recursive: true, force: true }))

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the binary (through the orchctl symlink) without blocking this process, which serves the gateway. */
const run = (env: Record<string, string>, file: string, args: string[], timeout = 60_000) =>
  new Promise<Run>((resolve) => {
    const child = execFile(process.execPath, [file, ...args], { timeout, env: { ...process.env, LOOM_API_KEY: adminKey(), ...env } }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    )
    child.stdin?.end()
  })
const orchctl = (...args: string[]) => run({}, ORCHCTL, args)
const orchctlWith = (env: Record<string, string>, ...args: string[]) => run(env, ORCHCTL, args)

/** Runs orchctl on a pseudo-terminal (util-linux `script`), typing `input`: what a person at a terminal sees. */
const orchctlInTerminal = (input: string, ...args: string[]) =>
  new Promise<Run>((resolve) => {
    const command = [process.execPath, ORCHCTL, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')
    const child = execFile('script', ['-qec', command, '/dev/null'], { timeout: 60_000, env: { ...process.env, LOOM_API_KEY: adminKey() } }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    )
    child.stdin?.end(input)
  })

const product = loomStack({ devices: demoDevices(projectRoot()) })
before(() => product.start())
after(() => product.stop())

const apiBody = async (path: string) => (await product.api.get(path)).body

describe('orchctl: the seed\'s name and global options', () => {
  test('names itself as called (orchctl through the symlink, loom otherwise); every --help states the exit codes', async () => {
    const help = await orchctl('--help')
    assert.equal(help.status, 0)
    assert.match(help.stdout, /^Usage: orchctl \[options\] \[command\]/)
    for (const group of ['process', 'subscription', 'workflow', 'task', 'completion']) assert.match(help.stdout, new RegExp(`^ {2}${group}\\b`, 'm'))
    assert.match(help.stdout, /^Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 [^]*\n {2}4 /m)
    assert.match(help.stdout, /LOOM_API_URL/)
    const loom = await run({}, MAIN, ['--help'])
    assert.match(loom.stdout, /^Usage: loom \[options\] \[command\]/)

    for (const command of [['process', 'list'], ['process', 'get'], ['process', 'watch'], ['process', 'resume'], ['process', 'abort'], ['subscription', 'list'], ['subscription', 'get'], ['subscription', 'versions'], ['workflow', 'list'], ['workflow', 'form'], ['workflow', 'start'], ['task', 'get'], ['completion'], ['whoami'], ['keys', 'list']]) {
      const shown = await orchctl(...command, '--help')
      assert.equal(shown.status, 0, command.join(' '))
      assert.match(shown.stdout, new RegExp(`^Usage: orchctl ${command.join(' ')}`), command.join(' '))
      assert.match(shown.stdout, /^Exit codes:\n {2}0 /m, `${command.join(' ')} --help states the exit codes`)
    }
    // task upgrade-os keeps its own codes (2 there means failed devices).
    assert.match((await orchctl('task', 'upgrade-os', '--help')).stdout, /^ {2}2 {2}the task completed with failed devices/m)
  })

  test('-p is refused with exit 2 and why; -a and -u are accepted and ignored with a note', async () => {
    const refused = await orchctl('--url', product.url, '-p', 's3cret', 'workflow', 'list')
    assert.equal(refused.status, 2)
    assert.equal(refused.stdout, '')
    assert.match(refused.stderr, /a password on the command line is visible in ps; set LOOM_API_KEY/)
    const ignored = await orchctl('--url', product.url, '-a', '10.0.0.1', '-u', 'admin', 'workflow', 'list')
    assert.equal(ignored.status, 0, ignored.stderr)
    assert.match(ignored.stderr, /-a\/--address is ignored/)
    assert.match(ignored.stderr, /-u\/--user is ignored/)
    assert.match(ignored.stdout, /^create_node +code +CREATE/m)
  })

  test('--orch_ip/--orch_port compose the URL; LOOM_API_URL when no option names it; -t is sent as X-Loom-Tenant', async () => {
    const { hostname, port } = new URL(product.url)
    const composed = await orchctl('--orch_ip', hostname, '--orch_port', port, 'workflow', 'list', '--json')
    assert.equal(composed.status, 0, composed.stderr)
    assert.ok((JSON.parse(composed.stdout) as { code: { name: string }[] }).code.some((w) => w.name === 'create_node'))
    const fromEnv = await orchctlWith({ LOOM_API_URL: product.url }, 'workflow', 'list')
    assert.equal(fromEnv.status, 0, fromEnv.stderr)
    assert.equal((await orchctl('--orch_port', '70000', 'workflow', 'list')).status, 2)

    // A relay in front of the gateway sees what the CLI sends.
    const seen: (string | undefined)[] = []
    const relay: Server = createServer((req, res) => {
      seen.push(req.headers['x-loom-tenant'] as string | undefined)
      void fetch(new URL(req.url!, product.url), { headers: { authorization: req.headers.authorization! } }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()))
      })
    })
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
    try {
      const tenant = await orchctl('--orch_ip', '127.0.0.1', '--orch_port', String((relay.address() as AddressInfo).port), '-t', 'acme', 'subscription', 'list')
      assert.equal(tenant.status, 0, tenant.stderr)
      assert.deepEqual(seen, ['acme'])
    } finally {
      relay.close()
    }
  })

  test('usage errors exit 2: an unknown command or option, a missing argument, --data that is not JSON, no --data off a terminal', async () => {
    for (const args of [['frobnicate'], ['process', 'list', '--colour'], ['process', 'watch'], ['process', 'list', '--status', 'sleeping'], ['subscription', 'get'], ['process']]) {
      const r = await orchctl('--url', product.url, ...args)
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.notEqual(r.stderr, '', args.join(' '))
    }
    const notJson = await orchctl('--url', product.url, 'workflow', 'start', 'create_node', '--data', '{router:')
    assert.equal(notJson.status, 2)
    assert.match(notJson.stderr, /^--data: not JSON/m)
    const noData = await orchctl('--url', product.url, 'workflow', 'start', 'create_node')
    assert.equal(noData.status, 2)
    assert.match(noData.stderr, /--data '<json>' is needed when not in a terminal \(the form: orchctl workflow form create_node\)/)
  })

  test('exit 1: the API cannot be reached, an unknown process, an answer that fails the form (each field named)', async () => {
    const down = `http://127.0.0.1:${await freePort()}`
    const unreachable = await orchctl('--url', down, 'process', 'list')
    assert.equal(unreachable.status, 1)
    assert.match(unreachable.stderr, new RegExp(`cannot reach ${down}`))
    const missing = await orchctl('--url', product.url, 'process', 'get', '019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b')
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /^process 019abd1e-7c1a-7f3e-9a57-2f1c9f0d1e2b: 404 Not found: /m)
    const refused = await orchctl('--url', product.url, 'workflow', 'start', 'create_node', '--data', '{"router": "nowhere-pe9"}')
    assert.equal(refused.status, 1)
    assert.equal(refused.stdout, '')
    assert.match(refused.stderr, /^workflow start create_node: 422 Validation failed: /m)
    assert.match(refused.stderr, /^ {2}router: "nowhere-pe9" is not a planned router/m)
  })
})

describe('orchctl workflow and process', () => {
  test('workflow list, get and form: --json is the API body; people read tables', async () => {
    const list = await orchctl('--url', product.url, 'workflow', 'list', '--json')
    assert.deepEqual(JSON.parse(list.stdout), { code: ((await apiBody('/api/workflows?limit=500')) as { items: unknown[] }).items, custom: [] })
    const get = await orchctl('--url', product.url, 'workflow', 'get', 'create_node', '--json')
    assert.deepEqual(JSON.parse(get.stdout), await apiBody('/api/workflows/create_node'))
    const form = await orchctl('--url', product.url, 'workflow', 'form', 'create_node', '--json')
    assert.equal(form.status, 0, form.stderr)
    assert.deepEqual(JSON.parse(form.stdout), await apiBody('/api/workflows/create_node/form'))
    const human = await orchctl('--url', product.url, 'workflow', 'form', 'create_node')
    assert.match(human.stdout, /^Create node: page 1 of 1$/m)
    assert.match(human.stdout, /^router +string +yes +ams-pe1, .*fra-pe1.* +Router$/m)
    assert.match(human.stdout, /^customer_id +string +no +default: "acme" +Customer$/m)
    const checked = await orchctl('--url', product.url, 'workflow', 'form', 'create_node', '--data', '{"router": "ams-pe1"}', '--json')
    assert.deepEqual(JSON.parse(checked.stdout), { complete: true })
  })

  test('start --wait: each step as it ends, then exit 3 waiting with the command that answers; resume --wait answers it: exit 0', async () => {
    const started = await orchctl('--url', product.url, 'workflow', 'start', 'create_node', '--data', '{"router": "ams-pe1"}', '--wait')
    assert.equal(started.status, 3, `${started.stdout}\n${started.stderr}`)
    const id = new RegExp(`^started create_node: process (${UUID})$`, 'm').exec(started.stdout)?.[1]
    assert.ok(id, started.stdout)
    assert.match(started.stdout, /^ {2}✓ construct_node_model$/m)
    assert.match(started.stdout, new RegExp(`^waiting: provide_config_to_user \\(input\\): .*\\(process ${id}\\)$`, 'm'))
    assert.match(started.stdout, new RegExp(`^ {2}orchctl process resume ${id} --data '\\{"confirm_config_applied":true\\}'$`, 'm'))

    const shown = await orchctl('--url', product.url, 'process', 'get', id)
    assert.match(shown.stdout, /^status +waiting$/m)
    assert.match(shown.stdout, /^ {2}\? provide_config_to_user$/m)
    const watched = await orchctl('--url', product.url, 'process', 'watch', id)
    assert.equal(watched.status, 3, watched.stderr)

    const answered = await orchctl('--url', product.url, 'process', 'answer', id, '--data', '{"confirm_config_applied": true}', '--wait')
    assert.equal(answered.status, 0, `${answered.stdout}\n${answered.stderr}`)
    assert.match(answered.stdout, /^ {2}✓ provide_config_to_user \(answered by \S+\)$/m)
    assert.match(answered.stdout, new RegExp(`^completed +\\(process ${id}\\)$`, 'm'))

    // --json: the API's body, for get, task get (the seed's --id) and list
    const asJson = await orchctl('--url', product.url, 'process', 'get', id, '--json')
    const body = await apiBody(`/api/processes/${id}`)
    assert.deepEqual(JSON.parse(asJson.stdout), body)
    const task = await orchctl('--url', product.url, 'task', 'get', '--id', id, '--json')
    assert.equal(task.status, 0, task.stderr)
    assert.deepEqual(JSON.parse(task.stdout), body)
    const listed = await orchctl('--url', product.url, 'process', 'list', '--workflow', 'create_node', '--status', 'completed', '--json')
    assert.deepEqual(JSON.parse(listed.stdout), await apiBody('/api/processes?workflow=create_node&status=completed'))
    const table = await orchctl('--url', product.url, 'process', 'list', '--workflow', 'create_node', '--limit', '1')
    assert.match(table.stdout, /^id +workflow +status +assignee +created_by +created_at$/m)
    assert.match(table.stdout, new RegExp(`^${id} +create_node +completed +`, 'm'))
    assert.match(table.stderr, /^1 of \d+/m)
  })

  test('abort: the process ends aborted (exit 0); watching an aborted process exits 4; resuming it is refused (exit 1)', async () => {
    const started = await orchctl('--url', product.url, 'workflow', 'start', 'create_node', '--data', '{"router": "fra-pe1"}', '--json')
    assert.equal(started.status, 0, started.stderr)
    const { id } = JSON.parse(started.stdout) as { id: string }
    await product.api.waitForProcess(id, (p) => p.status === 'waiting')
    const aborted = await orchctl('--url', product.url, 'process', 'abort', id, '--reason', 'wrong router', '--json')
    assert.equal(aborted.status, 0, aborted.stderr)
    const p = JSON.parse(aborted.stdout) as ProcessDto
    assert.equal(p.status, 'aborted')
    const watched = await orchctl('--url', product.url, 'process', 'watch', id)
    assert.equal(watched.status, 4, watched.stderr)
    assert.match(watched.stdout, /^aborted: .*wrong router/m)
    assert.match(watched.stdout, /\(undo\)/)
    const again = await orchctl('--url', product.url, 'process', 'resume', id)
    assert.equal(again.status, 1)
    assert.match(again.stderr, new RegExp(`^process resume ${id}: 409 Conflict: `, 'm'))
  })

  test('start in a terminal without --data: each field asked; a refused answer asked again; the process starts', async () => {
    const r = await orchctlInTerminal('lon-pe1\nnobody\n\n', '--url', product.url, 'workflow', 'start', 'create_node')
    assert.equal(r.status, 0, r.stdout)
    assert.match(r.stdout, /Create node: page 1 of 1/)
    assert.match(r.stdout, /Router \(router\)/)
    assert.match(r.stdout, /customer_id: 422 Validation failed|customer_id: no customer "nobody"/)
    const id = new RegExp(`started create_node: process (${UUID})`).exec(r.stdout)?.[1]
    assert.ok(id, r.stdout)
    const p = await product.api.waitForProcess(id, (x) => x.status === 'waiting')
    assert.deepEqual(p.steps.find((s) => s.name === 'construct_node_model')?.status, 'success')
    const sub = (await product.api.get<{ customer_id: string; description: string }>(`/api/subscriptions/${p.subscription_ids[0]}`)).body
    assert.equal(sub.customer_id, 'acme')
    assert.match(sub.description, /lon-pe1/)
  })
})

describe('orchctl workflow start in a terminal, a form of two pages', () => {
  test('the second page is asked with the choices the first answers give (the free interfaces of the node chosen)', async () => {
    const node = (await product.api.get<{ items: { id: string; description: string }[] }>('/api/subscriptions?product=node&lifecycle=active&q=ams-pe1')).body.items[0]
    assert.ok(node, 'ams-pe1 was enrolled above')
    const r = await orchctlInTerminal(`${node.id}\n10G\n\n1\ncore link to fra\n`, '--url', product.url, 'workflow', 'start', 'create_port')
    assert.equal(r.status, 0, r.stdout)
    assert.match(r.stdout, /Create port: the node: page 1 of 2/)
    assert.match(r.stdout, /Create port: an interface of ams-pe1: page 2 of 2/)
    assert.match(r.stdout, /1\) eth\S+/)
    const id = new RegExp(`started create_port: process (${UUID})`).exec(r.stdout)?.[1]
    assert.ok(id, r.stdout)
    const p = await product.api.waitForProcess(id, (x) => x.subscription_ids.length > 0)
    const port = (await product.api.get<{ domain_model: { port: { node: string; port_description: string } } }>(`/api/subscriptions/${p.subscription_ids[0]}`)).body
    assert.equal(port.domain_model.port.node, node.id)
  })
})

describe('orchctl subscription', () => {
  test('list, get and versions: --json is the API body; people read the product blocks', async () => {
    const list = await orchctl('--url', product.url, 'subscription', 'list', '--product', 'node', '--lifecycle', 'active', '--json')
    assert.equal(list.status, 0, list.stderr)
    const page = JSON.parse(list.stdout) as { items: { id: string }[] }
    assert.deepEqual(page, await apiBody('/api/subscriptions?product=node&lifecycle=active'))
    assert.ok(page.items.length >= 1, 'ams-pe1 was enrolled above')
    const id = page.items[0].id
    const human = await orchctl('--url', product.url, 'subscription', 'list', '--q', 'ams-pe1')
    assert.match(human.stdout, new RegExp(`^${id} +node +active +yes +acme +Node ams-pe1`, 'm'))
    const get = await orchctl('--url', product.url, 'subscription', 'get', id, '--json')
    assert.deepEqual(JSON.parse(get.stdout), await apiBody(`/api/subscriptions/${id}`))
    const shown = await orchctl('--url', product.url, 'subscription', 'get', '--id', id)
    assert.match(shown.stdout, /^product blocks:\n {2}node: \{.*"device_name":"ams-pe1"/m)
    const versions = await orchctl('--url', product.url, 'subscription', 'versions', id, '--json')
    assert.deepEqual(JSON.parse(versions.stdout), await apiBody(`/api/subscriptions/${id}/versions`))
  })
})

describe('orchctl completion', () => {
  test('bash: the script completes the commands and options of each level, from the command tree', async () => {
    const script = await orchctl('completion', 'bash')
    assert.equal(script.status, 0, script.stderr)
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) => {
        const probe = `eval "$(cat)"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _loom_completion; echo "\${COMPREPLY[*]}"`
        const child = execFile('bash', ['-c', probe], (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout.trim())))
        child.stdin?.end(script.stdout)
      })
    const top = (await complete(['orchctl', ''])).split(' ')
    for (const group of ['workflow', 'task', 'process', 'subscription', 'completion']) assert.ok(top.includes(group), `${group} in ${top.join(' ')}`)
    assert.deepEqual((await complete(['orchctl', '-t', 'acme', 'process', ''])).split(' ').sort(), ['abort', 'answer', 'get', 'list', 'resume', 'watch'])
    assert.equal(await complete(['orchctl', 'process', 're']), 'resume')
    assert.equal(await complete(['orchctl', 'process', 'resume', 'some-id', '--ap']), '--approve')
    assert.equal(await complete(['orchctl', 'task', 'get', '--i']), '--id')
    const zsh = await orchctl('completion', 'zsh')
    assert.match(zsh.stdout, /^#compdef orchctl loom$/m)
    assert.match(zsh.stdout, / '_ process' 'list get watch resume answer abort' /)
    assert.match(zsh.stdout, /^if \(\( \$\+functions\[compdef\] \)\); then compdef _loom_completion orchctl loom; fi$/m)
    assert.equal((await orchctl('completion', 'fish')).status, 2)
  })
})

describe('orchctl and the rate limit', () => {
  test('a 429 is waited out as Retry-After says, with a note on stderr, then the command goes on', async () => {
    const db = await cloneDatabase()
    const config = testConfig(db.url)
    const gw = await startGateway({ ...config, auth: { ...config.auth, rateLimitPerMinute: 2 } })
    try {
      const api = apiClient(gw.url)
      for (let i = 0; i < 2; i++) assert.equal((await api.get('/api/auth/me')).status, 200)
      assert.equal((await api.get('/api/auth/me')).status, 429)
      const began = Date.now()
      const r = await run({}, ORCHCTL, ['--url', gw.url, 'workflow', 'list', '--json'], 150_000)
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stderr, /^GET \/api\/workflows\?limit=500: 429 too many requests; trying again in \d+ s \(Retry-After\), 1 of 5$/m)
      assert.ok(Date.now() - began >= 1000)
      assert.ok((JSON.parse(r.stdout) as { code: { name: string }[] }).code.some((w) => w.name === 'create_node'))
    } finally {
      await gw.close()
      await db.drop()
    }
  })
})
