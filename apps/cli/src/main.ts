#!/usr/bin/env node
import { basename } from 'node:path'
import { Command, type CommanderError, InvalidArgumentError, Option } from 'commander'
import { type Cli, exitCodesInHelp, usageExitCode, withExitCodes } from './command-kit.js'
import { bashCompletion, zshCompletion } from './completion.js'
import { apiKey } from './credentials.js'
import { DemoError, runDemo } from './demo.js'
import { Api } from './http.js'
import { runLabDemo } from './lab-demo.js'
import { EXIT, EXIT_CODES_HELP, printJson, table, usage } from './output.js'
import { processCommands, taskGetCommand } from './process-command.js'
import { subscriptionCommands } from './subscription-command.js'
import { taskCommands } from './task-command.js'
import { instanceCommands, serviceCommands } from './catalog-command.js'
import { tenantCommands } from './tenant-command.js'
import { workflowCommands } from './workflow-command.js'

// `loom`, also installed as `orchctl` (seed 004's name): a client of the REST API, never of the database. It names
// itself as it was called, so that its help and the commands it prints are the ones the user types.
const called = basename(process.argv[1] ?? '').replace(/\.js$/, '')
const name = called === 'orchctl' ? 'orchctl' : 'loom'

const port = (value: string) => {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 65_535) throw new InvalidArgumentError('expected a port, 1 to 65535.')
  return n
}

const program = new Command()
  .name(name)
  .description('Command-line client of the Loom API')
  .option('--url <url>', 'Loom API base URL (default: $LOOM_API_URL, else http://localhost:3000)')
  .addOption(new Option('--api <url>', 'the same as --url').hideHelp())
  .option('--orch_ip <host>', "the API's host, as seed 004's orchctl has it: http://<host>:<orch_port>")
  .option('--orch_port <port>', "the API's port (with --orch_ip; default 3000)", port)
  .option('-t, --project_id <tenant>', 'the tenant to act in (sent as the X-Loom-Tenant header)')
  .option('-a, --address <address>', "seed 004's SODA hotpot address: accepted and ignored")
  .option('-u, --user <user>', "seed 004's user name: accepted and ignored (the API key says who you are)")
  .option('-p, --password <password>', 'refused: a password on the command line is visible in ps; set LOOM_API_KEY')

interface GlobalOptions {
  url?: string
  api?: string
  orch_ip?: string
  orch_port?: number
  project_id?: string
  address?: string
  user?: string
  password?: string
}

/** The API base URL: --url (or --api), else --orch_ip/--orch_port, else LOOM_API_URL, else the local default. */
function apiBase(): string {
  const o = program.opts<GlobalOptions>()
  const explicit = o.url ?? o.api
  if (explicit) return explicit
  if (o.orch_ip || o.orch_port) {
    const host = o.orch_ip ?? 'localhost'
    return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${o.orch_port ?? 3000}`
  }
  return process.env.LOOM_API_URL || 'http://localhost:3000'
}

const api = new Api(() => ({ base: apiBase(), tenant: program.opts<GlobalOptions>().project_id }))
const cli: Cli = { api, name }

program.hook('preAction', () => {
  const o = program.opts<GlobalOptions>()
  if (o.password !== undefined) usage('-p/--password is refused: a password on the command line is visible in ps; set LOOM_API_KEY')
  if ((o.url ?? o.api) && (o.orch_ip || o.orch_port)) usage('give --url or --orch_ip/--orch_port, not both')
  try {
    new URL(apiBase())
  } catch {
    usage(`not a URL: ${apiBase()}`)
  }
  if (o.address !== undefined) console.error('note: -a/--address is ignored (Loom has no SODA hotpot); --url names the API')
  if (o.user !== undefined) console.error('note: -u/--user is ignored: the API key (LOOM_API_KEY) says who you are')
})

/** The key to send; without one, the command ends saying where it looked. */
const key = () => api.key().key

/** Calls the API with the key (and the tenant); an API that cannot be reached, or refuses the key, ends the command. */
const request = (method: string, path: string, body?: unknown) => api.request(method, path, body)
const get = (path: string) => api.get(path)
const expectOk = <T>(res: Response, what: string) => api.expectOk<T>(res, what)

program
  .command('health')
  .description('show whether Temporal and the database answer (and why not, with a key); exit 1 when one does not')
  .option('--json', 'print the API body as is')
  .action(async (options: { json?: boolean }) => {
    // Open to anyone; with a key the reasons (addresses, errors) are shown too.
    const found = apiKey()
    const res = await fetch(new URL('/api/health', apiBase()), found ? { headers: { authorization: `Bearer ${found.key}` } } : {}).catch((e: Error) => {
      console.error(`cannot reach ${apiBase()}: ${e.message}`)
      process.exit(1)
    })
    const body = (await res.json()) as Record<string, string>
    if (options.json) printJson(body)
    else for (const [k, v] of Object.entries(body)) console.log(`${k.padEnd(9)} ${v}`)
    process.exitCode = res.ok ? 0 : 1
  })

program
  .command('whoami')
  .description('who the API key says you are: your canonical id, roles and permissions')
  .option('--json', 'print it as JSON')
  .action(async (options: { json?: boolean }) => {
    const me = await expectOk<{ user: string; roles: string[]; permissions: string[]; via: string }>(await get('/api/auth/me'), 'whoami')
    if (options.json) console.log(JSON.stringify(me, null, 2))
    else console.log(`${me.user} (${me.via})\nroles        ${me.roles.join(', ') || '-'}\npermissions  ${me.permissions.join(', ')}`)
  })

interface ApiKeyView {
  id: string
  name: string
  owner: string
  roles: string[]
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  key?: string
}

const keys = program.command('keys').description('API keys: for yourself with roles you hold; an administrator for anyone')

keys
  .command('create')
  .description('make a key; it is printed once and stored nowhere but as a hash')
  .requiredOption('--name <text>', 'what the key is for')
  .option('--owner <name>', 'whom it acts as (administrators only; default: you)')
  .option('--roles <list>', 'comma-separated roles (default: yours)')
  .option('--expires <date>', 'ISO 8601 date-time after which it stops working')
  .option('--json', 'print the key and its record as JSON')
  .action(async (options: { name: string; owner?: string; roles?: string; expires?: string; json?: boolean }) => {
    const body = { name: options.name, owner: options.owner, roles: options.roles?.split(',').map((r) => r.trim()).filter(Boolean), expires_at: options.expires }
    const made = await expectOk<ApiKeyView>(await request('POST', '/api/auth/keys', body), 'keys create')
    if (options.json) return console.log(JSON.stringify(made, null, 2))
    console.log(made.key)
    console.error(`key ${made.id} for ${made.owner} (${made.roles.join(', ')}): shown this once; keep it (e.g. in LOOM_API_KEY)`)
  })

keys
  .command('list')
  .description('your keys (every key, for an administrator); never the keys themselves')
  .option('--json', 'print them as JSON')
  .action(async (options: { json?: boolean }) => {
    const list = await expectOk<ApiKeyView[]>(await get('/api/auth/keys'), 'keys list')
    if (options.json) return console.log(JSON.stringify(list, null, 2))
    const state = (k: ApiKeyView) => (k.revoked_at ? 'revoked' : k.expires_at && k.expires_at < new Date().toISOString() ? 'expired' : 'active')
    const rows = list.map((k) => ({ id: k.id, prefix: `${k.prefix}…`, owner: k.owner, roles: k.roles.join(','), state: state(k), last_used: k.last_used_at ?? '-', name: k.name }))
    console.log(table(rows, ['id', 'prefix', 'owner', 'roles', 'state', 'last_used', 'name']))
  })

keys
  .command('revoke <id>')
  .description('revoke a key: it stops working at once')
  .option('--json', 'print the revoked key\'s record as JSON')
  .action(async (id: string, options: { json?: boolean }) => {
    const revoked = await expectOk<ApiKeyView>(await request('DELETE', `/api/auth/keys/${encodeURIComponent(id)}`), 'keys revoke')
    if (options.json) return printJson(revoked)
    console.log(`revoked ${revoked.id} (${revoked.prefix}…, ${revoked.owner})`)
  })

const fleet = program.command('fleet').description('fleets of devices in the built-in DCIM')

fleet
  .command('seed')
  .description("load a demo fleet into the built-in DCIM (acme: seed 003's 848 devices); run again, it keeps what is there")
  .option('--fleet <name>', 'the fleet (acme)', 'acme')
  .option('--json', "print the API's answer as JSON")
  .action(async (options: { fleet: string; json?: boolean }) => {
    const seeded = await expectOk<{ fleet: string; added: number; total: number }>(await request('PUT', `/api/dcim/fleets/${encodeURIComponent(options.fleet)}`), 'fleet seed')
    if (options.json) return console.log(JSON.stringify(seeded, null, 2))
    console.log(`${seeded.fleet.toUpperCase()} fleet: ${seeded.total} devices (${seeded.added} added)`)
  })

program
  .command('demo')
  .description("run seed 002's story through the API: enrol routers, reserve ports, a ring of circuits, into service, validate, drain and restore a router, terminate one circuit")
  .option('--routers <names>', 'comma-separated planned routers (npm start seeds ams-pe1, ams-pe2, fra-pe1, lon-pe1)', 'ams-pe1,fra-pe1,lon-pe1')
  .option('--lab [size]', 'on real FRR routers instead (root only): start a ring of this many (default 3) and a Loom of its own on them; --api and --routers are not used')
  .option('--keep', 'with --lab: leave Loom and the routers running until Ctrl-C')
  .option('--verbose', 'print the configuration shown to the person who applies it')
  .action(async (options: { routers: string; lab?: string | true; keep?: boolean; verbose?: boolean }) => {
    const routers = options.routers.split(',').map((r) => r.trim()).filter(Boolean)
    const size = options.lab === true ? 3 : Number(options.lab ?? 0)
    if (options.lab !== undefined && !(Number.isInteger(size) && size >= 2 && size <= 8)) usage('--lab: the ring has 2 to 8 routers')
    if (options.lab === undefined && routers.length < 2) usage('--routers: name at least two routers')
    if (options.keep && options.lab === undefined) usage('--keep: only with --lab')
    const common = { verbose: options.verbose ?? false, say: (line: string) => console.log(line) }
    try {
      if (options.lab !== undefined) await runLabDemo({ ...common, size, keep: options.keep ?? false })
      else await runDemo(apiBase(), { ...common, routers, apiKey: key() })
    } catch (error) {
      if (!(error instanceof DemoError)) throw error
      console.error(`loom demo: ${error.message}`)
      process.exit(1)
    }
  })

// `task upgrade-os`, `task follow`: exit codes of their own (0 completed, 1 error, 2 failed devices, 3 halted or waiting, 4 aborted).
const task = taskCommands({ apiBase, request, headers: () => api.headers() })
task.addCommand(taskGetCommand(cli))
program.addCommand(task)
program.addCommand(processCommands(cli))
program.addCommand(subscriptionCommands(cli))
program.addCommand(workflowCommands(cli))
program.addCommand(serviceCommands(cli))
program.addCommand(instanceCommands(cli))
program.addCommand(tenantCommands(cli))

withExitCodes(
  program
    .command('completion')
    .description('print a shell completion script: source <(' + name + ' completion bash), or zsh')
    .argument('<shell>', 'bash or zsh'),
).action((shell: string) => {
  if (shell === 'bash') return void process.stdout.write(bashCompletion(program))
  if (shell === 'zsh') return void process.stdout.write(zshCompletion(program))
  usage(`completion: no script for ${shell} (bash or zsh)`)
})

program.addHelpText(
  'after',
  `${EXIT_CODES_HELP}  (task upgrade-os and task follow have exit codes of their own: see their --help)

Environment:
  LOOM_API_URL   the API base URL when neither --url nor --orch_ip is given (default http://localhost:3000)
  LOOM_API_KEY   the API key to send; without it, the key \`npm start\` wrote to $LOOM_DATA_DIR/admin-api-key
  LOOM_DATA_DIR  where that key file is (default .loom)

Examples:
  ${name} process list --status waiting --assignee noc
  ${name} workflow start create_node --data '{"router": "ams-pe1"}' --wait
  ${name} --orch_ip 10.0.0.5 --orch_port 3000 -t acme subscription list --product node
`,
)

const pathOf = (command: Command): string => (command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name())

/** Commander's own errors (an unknown option, a missing argument) are usage errors: exit 2, help and version 0. */
function exitCodes(command: Command): void {
  const code = usageExitCode.get(command) ?? EXIT.usage
  command.exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? EXIT.ok : code))
  command.showHelpAfterError(`(${pathOf(command)} --help for more)`)
  if (command !== program && !exitCodesInHelp.has(command)) withExitCodes(command)
  command.commands.forEach(exitCodes)
}
exitCodes(program)

program.parseAsync().catch((e: unknown) => {
  console.error(e)
  process.exit(EXIT.error)
})
