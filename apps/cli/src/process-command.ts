// `process list|get|watch|resume|abort` and the seed's `task get --id`: what operators and approving teams do with
// processes. The API has one call for going on with a process (PUT /api/processes/{id}/resume): the answer of a
// waiting input or approval step, or `{}` to retry a suspended one; so `resume` does both, and `answer` is its alias.
import { Command, Option } from 'commander'
import type { ProcessDto, ProcessSummaryDto } from '#contracts/index.js'
import { type Cli, idArgument, idOf, jsonAndExitCodes, pageOptions, type PageOptions, printPage } from './command-kit.js'
import { query } from './http.js'
import { jsonOption, printJson, usage } from './output.js'
import { outcomeLine, processText } from './process-view.js'
import { watch } from './watch.js'

const STATUSES = ['created', 'running', 'waiting', 'suspended', 'completed', 'aborted', 'failed']

interface ListOptions extends PageOptions {
  status?: string
  workflow?: string
  assignee?: string
  createdBy?: string
  product?: string
  subscription?: string
  parent?: string
}

/** `process get` and `task get`: the process, or its body under --json. */
async function show(cli: Cli, id: string, json?: boolean): Promise<void> {
  const p = await cli.api.getOk<ProcessDto>(`/api/processes/${encodeURIComponent(id)}`, `process ${id}`)
  if (json) return printJson(p)
  console.log(processText(p))
  if (p.pending_input) console.log(`${outcomeLine(p)}\nits form: ${JSON.stringify(p.pending_input.form)}`)
}

export function processCommands(cli: Cli): Command {
  const processes = new Command('process').description('processes: list them, follow one, answer or retry it, abort it')

  pageOptions(
    jsonAndExitCodes(
      processes
        .command('list')
        .description('processes, newest first, one page; e.g. --status waiting --assignee noc for what waits for a team')
        .addOption(new Option('--status <status>', 'only processes in this status').choices(STATUSES))
        .option('--workflow <name>', 'only processes of this workflow, e.g. create_node')
        .option('--assignee <team>', 'only processes waiting for this team')
        .option('--created-by <who>', 'only processes started by this caller (canonical id, e.g. key:alice)')
        .option('--product <name>', 'only processes that touched a subscription of this product')
        .option('--subscription <id>', 'only processes that touched this subscription')
        .option('--parent <id>', 'only the sub-processes of this process'),
      'print the API body ({items, total, next_cursor}) as is',
    ),
  ).action((o: ListOptions) => {
    const path = `/api/processes${query({ status: o.status, workflow: o.workflow, assignee: o.assignee, created_by: o.createdBy, product: o.product, subscription: o.subscription, parent_id: o.parent })}`
    const row = (p: ProcessSummaryDto) => ({ id: p.id, workflow: p.workflow, status: p.status, assignee: p.assignee ?? '-', created_by: p.created_by, created_at: p.created_at })
    return printPage(cli, path, o, row, ['id', 'workflow', 'status', 'assignee', 'created_by', 'created_at'], 'process list')
  })

  jsonAndExitCodes(idArgument(processes.command('get').description('one process: its status, every step, what it waits for'))).action((id: string | undefined, o: { id?: string; json?: boolean }) =>
    show(cli, idOf(id, o), o.json),
  )

  jsonAndExitCodes(
    processes
      .command('watch <id>')
      .description('follow a process: each step as it ends, until the process ends or waits for someone (Ctrl-C stops watching; the process goes on)'),
    'progress to stderr; stdout: the process as the API gives it at the end',
  ).action((id: string, o: { json?: boolean }) => watch(cli.api, id, { json: Boolean(o.json), cli: cli.name }))

  jsonAndExitCodes(
    processes
      .command('resume <id>')
      .alias('answer')
      .description('go on with a process: answer the input or approval step it waits for (--data, --approve, --reject), or retry its suspended step (no answer)')
      .option('--data <json>', "the answer, as the form in pending_input.form asks: '{\"confirm_config_applied\": true}'")
      .option('--approve', 'answer an approval step: approved ({"approved": true})')
      .option('--reject', 'answer an approval step: rejected ({"approved": false})')
      .option('--comment <text>', 'with --approve or --reject: why')
      .option('--wait', 'then follow the process as watch does (exit 3 or 4 as watch)')
      .addHelpText('after', '\nWithout --data, --approve or --reject the body is {}: a suspended process retries its failed step.'),
    'print the process as the API answers it (with --wait: at the end)',
  ).action(async (id: string, o: { data?: string; approve?: boolean; reject?: boolean; comment?: string; wait?: boolean; json?: boolean }) => {
      if ([o.data !== undefined, o.approve, o.reject].filter(Boolean).length > 1) usage('give one of --data, --approve and --reject')
      if (o.comment !== undefined && !o.approve && !o.reject) usage('--comment: only with --approve or --reject')
      const body = o.data !== undefined ? jsonOption(o.data) : o.approve || o.reject ? { approved: Boolean(o.approve), ...(o.comment !== undefined && { comment: o.comment }) } : {}
      const p = await cli.api.expectOk<ProcessDto>(await cli.api.request('PUT', `/api/processes/${encodeURIComponent(id)}/resume`, body), `process resume ${id}`)
      if (o.wait) return watch(cli.api, id, { json: Boolean(o.json), cli: cli.name })
      if (o.json) return printJson(p)
      console.log(`resumed: process ${p.id} is ${p.status}${p.current_step ? ` at ${p.current_step}` : ''}`)
    })

  jsonAndExitCodes(
    processes
      .command('abort <id>')
      .description('abort a process: the compensations of its completed steps run, newest first, and its locks are released')
      .option('--reason <text>', 'why (recorded as the failure of the process)'),
    'print the process as the API answers it',
  ).action(async (id: string, o: { reason?: string; json?: boolean }) => {
    const p = await cli.api.expectOk<ProcessDto>(await cli.api.request('PUT', `/api/processes/${encodeURIComponent(id)}/abort`, o.reason === undefined ? {} : { reason: o.reason }), `process abort ${id}`)
    if (o.json) return printJson(p)
    console.log(p.completed_at ? `aborted: process ${p.id} is ${p.status}` : `aborting: process ${p.id} is ${p.status}; its compensations still run (${cli.name} process watch ${p.id})`)
  })

  return processes
}

/** The seed's `task get --id <id>`: a task is a process, shown as `process get` shows it. */
export function taskGetCommand(cli: Cli): Command {
  return jsonAndExitCodes(idArgument(new Command('get').description('a task (any process) by id, as process get shows it'))).action((id: string | undefined, o: { id?: string; json?: boolean }) =>
    show(cli, idOf(id, o), o.json),
  )
}
