// `service list|add|get|update|delete` and `instance list|get|run|delete`: the service catalogue with the seed's
// syntax (`--data '<json>'`, `--id`), tables for people, the API body under --json, and `instance run --wait` following
// the instance's process (its id is the process's) to its end.
import { randomUUID } from 'node:crypto'
import { Command, Option } from 'commander'
import { INSTANCE_STATUSES, type InstanceDto, type ServiceDto } from '#contracts/index.js'
import { type Cli, idArgument, idOf, jsonAndExitCodes, pageOptions, type PageOptions, printPage } from './command-kit.js'
import { query } from './http.js'
import { dataOrFile, fields, printJson } from './output.js'
import { watch } from './watch.js'

const dataOptions = (command: Command, example: string) =>
  command.option('--data <json>', `the request as JSON, e.g. '${example}'`).option('--file <path>', 'the request as JSON, read from a file')

function serviceText(s: ServiceDto): string {
  return fields({
    id: s.id,
    name: s.name,
    group: s.group,
    tenant_id: s.tenant_id,
    description: s.description,
    workflows: s.workflows.map((w) => `${w.definition_source} (${w.wfe_type})`).join(', '),
    input: s.input ?? `the start form of ${s.workflows[0].definition_source} (${s.start_form})`,
    running_instances: s.running_instances,
    user_id: s.user_id,
    created_at: s.created_at,
    updated_at: s.updated_at,
  })
}

const instanceText = (i: InstanceDto) =>
  fields({ id: i.id, name: i.name, status: i.status, service: `${i.service_name} (${i.service_id})`, action: i.action, parameters: i.parameters, description: i.description, process: `/api/processes/${i.process_id}`, tenant_id: i.tenant_id, user_id: i.user_id, created_at: i.created_at, updated_at: i.updated_at })

export function serviceCommands(cli: Cli): Command {
  const services = new Command('service').description('the service catalogue: register services that run Loom workflows, list and read them')

  pageOptions(
    jsonAndExitCodes(
      services.command('list').description('services, newest first, one page').option('--group <group>', 'only services of this group').option('--name <name>', 'only the service of this name'),
      'print the API body ({items, total, next_cursor}) as is',
    ),
  ).action((o: PageOptions & { group?: string; name?: string }) =>
    printPage<ServiceDto>(
      cli,
      `/api/catalog/services${query({ group: o.group, name: o.name })}`,
      o,
      (s) => ({ id: s.id, name: s.name, group: s.group, workflows: s.workflows.map((w) => w.definition_source).join(', '), running: String(s.running_instances), created_at: s.created_at }),
      ['id', 'name', 'group', 'workflows', 'running', 'created_at'],
      'service list',
    ),
  )

  jsonAndExitCodes(
    dataOptions(
      services.command('add').description('register a service; the same again answers the service registered (a loop may retry safely)'),
      '{"name": "node enrolment", "group": "provisioning", "input": "", "workflows": [{"definition_source": "create_node", "wfe_type": "loom"}]}',
    ),
  ).action(async (o: { data?: string; file?: string; json?: boolean }) => {
    const res = await cli.api.request('POST', '/api/catalog/services', dataOrFile(o))
    const s = await cli.api.expectOk<ServiceDto>(res, 'service add')
    if (o.json) return printJson(s)
    console.log(serviceText(s))
    if (res.status === 200) console.error(`service ${s.name} was registered already, with this content: nothing changed`)
  })

  jsonAndExitCodes(idArgument(services.command('get').description('one service'))).action(async (id: string | undefined, o: { id?: string; json?: boolean }) => {
    const s = await cli.api.getOk<ServiceDto>(`/api/catalog/services/${encodeURIComponent(idOf(id, o))}`, 'service get')
    return o.json ? printJson(s) : console.log(serviceText(s))
  })

  jsonAndExitCodes(dataOptions(idArgument(services.command('update').description('change the fields given of a service (PATCH)')), '{"description": "Enrol a planned router"}')).action(
    async (id: string | undefined, o: { id?: string; data?: string; file?: string; json?: boolean }) => {
      const s = await cli.api.expectOk<ServiceDto>(await cli.api.request('PATCH', `/api/catalog/services/${encodeURIComponent(idOf(id, o))}`, dataOrFile(o)), 'service update')
      return o.json ? printJson(s) : console.log(serviceText(s))
    },
  )

  jsonAndExitCodes(idArgument(services.command('delete').description('delete a service (refused while instances of it run)')), 'print {"id", "deleted": true}').action(
    async (id: string | undefined, o: { id?: string; json?: boolean }) => {
      const service = idOf(id, o)
      await cli.api.expectOk(await cli.api.request('DELETE', `/api/catalog/services/${encodeURIComponent(service)}`), 'service delete')
      return o.json ? printJson({ id: service, deleted: true }) : console.log(`deleted service ${service}`)
    },
  )

  return services
}

export function instanceCommands(cli: Cli): Command {
  const instances = new Command('instance').description("instances of the catalogue's services: run one, follow it, list, read and delete them")

  pageOptions(
    jsonAndExitCodes(
      instances
        .command('list')
        .description('instances, newest first, one page')
        .option('--service-id <id>', 'only the instances of this service')
        .addOption(new Option('--status <status>', 'only instances in this status').choices([...INSTANCE_STATUSES])),
      'print the API body ({items, total, next_cursor}) as is',
    ),
  ).action((o: PageOptions & { serviceId?: string; status?: string }) =>
    printPage<InstanceDto>(
      cli,
      `/api/catalog/instances${query({ service_id: o.serviceId, status: o.status })}`,
      o,
      (i) => ({ id: i.id, name: i.name, service: i.service_name, action: i.action, status: i.status, created_at: i.created_at }),
      ['id', 'name', 'service', 'action', 'status', 'created_at'],
      'instance list',
    ),
  )

  jsonAndExitCodes(idArgument(instances.command('get').description('one instance; its status follows its process'))).action(async (id: string | undefined, o: { id?: string; json?: boolean }) => {
    const i = await cli.api.getOk<InstanceDto>(`/api/catalog/instances/${encodeURIComponent(idOf(id, o))}`, 'instance get')
    return o.json ? printJson(i) : console.log(instanceText(i))
  })

  jsonAndExitCodes(
    dataOptions(
      instances
        .command('run')
        .description("run an instance of a service: its parameters checked against the service's input, then its workflow started")
        .option('--idempotency-key <key>', 'the same key gives back the instance the first request ran (default: a new one per run, so that a retry after a 429 runs nothing twice)')
        .option('--wait', 'follow its process: each step as it ends, until it ends (exit 0, or 4 failed or aborted) or waits for someone (exit 3)'),
      '{"service_id": "…", "action": "create_node", "name": "enrol ams-pe1", "parameters": {"router": "ams-pe1"}}',
    ),
    'print the instance as the API gives it; with --wait, the process at the end (progress on stderr)',
  ).action(async (o: { data?: string; file?: string; idempotencyKey?: string; wait?: boolean; json?: boolean }) => {
    const res = await cli.api.request('POST', '/api/catalog/instances', dataOrFile(o), { 'idempotency-key': o.idempotencyKey ?? randomUUID() })
    const i = await cli.api.expectOk<InstanceDto>(res, 'instance run')
    if (o.wait) {
      ;(o.json ? process.stderr : process.stdout).write(`instance ${i.id} of ${i.service_name}: ${i.action}\n`)
      return watch(cli.api, i.id, { json: Boolean(o.json), cli: cli.name })
    }
    if (o.json) return printJson(i)
    console.log(instanceText(i))
    console.error(`follow it with ${cli.name} process watch ${i.id}`)
  })

  jsonAndExitCodes(
    idArgument(instances.command('delete').description('delete an instance; a running one is aborted first (its compensations run)')),
    'print {"id", "deleted": true}, or the instance (status deleting) while its compensations still run',
  ).action(async (id: string | undefined, o: { id?: string; json?: boolean }) => {
    const instance = idOf(id, o)
    const res = await cli.api.request('DELETE', `/api/catalog/instances/${encodeURIComponent(instance)}`)
    const still = await cli.api.expectOk<InstanceDto | null>(res, 'instance delete')
    if (o.json) return printJson(still ?? { id: instance, deleted: true })
    console.log(still ? `instance ${instance}: its process is being aborted; the instance goes once it has ended` : `deleted instance ${instance}`)
  })

  return instances
}
