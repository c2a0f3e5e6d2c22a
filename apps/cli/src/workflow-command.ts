// `workflow list|get|form|start`: the workflows Loom runs, their start forms, and starting one (with --data, or
// asked field by field in a terminal), optionally followed to its end.
import { randomUUID } from 'node:crypto'
import { Command } from 'commander'
import type { CustomWorkflowDetailDto, CustomWorkflowDto, CustomWorkflowVersionDto, ProcessStartedDto, WorkflowDto } from '#contracts/index.js'
import { type Cli, jsonAndExitCodes } from './command-kit.js'
import { askForm, choicesOf, type FormPage } from './form-prompt.js'
import { dataOrFile, fields, jsonOption, printJson, table, usage } from './output.js'
import { watch } from './watch.js'

/** A form page as a table: each field, its type, whether it is required, its choices or default, its title. */
export function formText(page: FormPage, workflow: string): string {
  const rows = Object.entries(page.properties ?? {}).map(([name, f]) => {
    const choices = choicesOf(f)
    const allowed = choices ? choices.map((c) => String(c.value)).join(', ') || '(none now)' : f.default !== undefined ? `default: ${JSON.stringify(f.default)}` : ''
    return { field: name, type: [f.type ?? (choices ? 'choice' : '-')].flat().join('|'), required: page.required?.includes(name) ? 'yes' : 'no', allowed, title: f.title ?? '' }
  })
  return [`${page.title ?? workflow}: page ${page['x-loom-page'] ?? 1} of ${page['x-loom-pages'] ?? 1}`, table(rows, ['field', 'type', 'required', 'allowed', 'title'])].join('\n')
}

/** A custom workflow (`name`: its versions) or one version of it (`name@N`: its definition). */
async function showCustom(cli: Cli, name: string, json?: boolean): Promise<void> {
  const [bare, version] = name.split('@')
  if (version !== undefined) {
    const v = await cli.api.getOk<CustomWorkflowVersionDto>(`/api/catalog/workflows/${encodeURIComponent(bare)}/versions/${encodeURIComponent(version)}`, `workflow ${name}`)
    return json ? printJson(v) : console.log(`${v.name} v${v.version}, registered by ${v.created_by} at ${v.created_at}\n${JSON.stringify(v.definition, null, 2)}`)
  }
  const w = await cli.api.getOk<CustomWorkflowDetailDto>(`/api/catalog/workflows/${encodeURIComponent(bare)}`, `workflow ${name}`)
  if (json) return printJson(w)
  console.log(fields({ name: w.name, kind: 'custom', description: w.description, latest_version: w.latest_version, created_by: w.created_by }))
  console.log(`versions (${cli.name} workflow get ${w.name}@N for a definition):\n${w.versions.map((v) => `  v${v.version}  ${v.created_at}  ${v.created_by}`).join('\n')}`)
}

export function workflowCommands(cli: Cli): Command {
  const workflows = new Command('workflow').description('the workflows Loom runs: list them, read their start forms, start one')

  jsonAndExitCodes(workflows.command('list').description('list the workflows: the code workflows (kind code) and the custom ones registered as data (kind custom)'), 'print {code: [...], custom: [...]}: every page\'s items of both lists').action(async (o: { json?: boolean }) => {
    const [code, custom] = await Promise.all([cli.api.getAll<WorkflowDto>('/api/workflows', 'workflow list'), cli.api.getAll<CustomWorkflowDto>('/api/catalog/workflows', 'workflow list')])
    if (o.json) return printJson({ code, custom })
    const rows = [
      ...code.map((w) => ({ name: w.name, kind: 'code', target: w.target, product: w.product ?? '-', startable: w.startable ? 'yes' : 'no', description: w.description })),
      ...custom.map((w) => ({ name: w.name, kind: `custom v${w.latest_version}`, target: 'SYSTEM', product: '-', startable: 'yes', description: w.description })),
    ]
    console.log(table(rows, ['name', 'kind', 'target', 'product', 'startable', 'description']))
  })

  jsonAndExitCodes(workflows.command('get <name>').description('one workflow: its target, products and ordered steps; a custom one: its versions (name@N: that version\'s definition)')).action(async (name: string, o: { json?: boolean }) => {
    const code = await cli.api.get(`/api/workflows/${encodeURIComponent(name.split('@')[0])}`)
    if (code.status === 404 || name.includes('@')) {
      await code.body?.cancel()
      return showCustom(cli, name, o.json)
    }
    const w = await cli.api.expectOk<WorkflowDto>(code, `workflow ${name}`)
    if (o.json) return printJson(w)
    console.log(fields({ name: w.name, target: w.target, product: w.product, startable: w.startable, description: w.description }))
    console.log(`steps:\n${w.steps.map((s) => `  ${s.name}  ${s.label}`).join('\n')}`)
  })

  jsonAndExitCodes(
    workflows
      .command('add')
      .description('register a custom workflow (a definition as JSON); the same content again answers its version, new content makes the next one')
      .option('--data <json>', 'the definition: \'{"name": "lab_address", "input": {...}, "steps": [...]}\'')
      .option('--file <path>', 'the definition, read from a JSON file'),
    'print the version as the API gives it',
  ).action(async (o: { data?: string; file?: string; json?: boolean }) => {
    const res = await cli.api.request('POST', '/api/catalog/workflows', dataOrFile(o))
    const v = await cli.api.expectOk<CustomWorkflowVersionDto>(res, 'workflow add')
    if (o.json) return printJson(v)
    console.log(`${v.name} v${v.version}${res.status === 200 ? ' (registered already, with this content)' : ''}`)
  })

  jsonAndExitCodes(
    workflows
      .command('form <name>')
      .description("a workflow's start form: the fields of its first page with their choices; with --data, the answers so far checked and the next page")
      .option('--data <json>', "the answers so far (POST /api/workflows/{name}/form): the next page, or that the form is complete"),
    'print the JSON Schema of the page (with --data: {complete, page, pages, form}) as the API gives it',
  ).action(async (name: string, o: { data?: string; json?: boolean }) => {
    const path = `/api/workflows/${encodeURIComponent(name)}/form`
    if (o.data === undefined) {
      const page = await cli.api.getOk<FormPage>(path, `workflow form ${name}`)
      return o.json ? printJson(page) : console.log(formText(page, name))
    }
    const check = await cli.api.expectOk<{ complete: boolean; form?: FormPage }>(await cli.api.request('POST', path, jsonOption(o.data)), `workflow form ${name}`)
    if (o.json) return printJson(check)
    console.log(check.complete || !check.form ? 'complete: these answers start the workflow' : formText(check.form, name))
  })

  jsonAndExitCodes(
    workflows
      .command('start <name>')
      .description('start a workflow (a code one, or a custom one registered as data) with the answers to its form; without --data in a terminal, each field is asked, page by page')
      .option('--data <json>', "the answers to the whole form: '{\"router\": \"ams-pe1\"}'")
      .option('--idempotency-key <key>', 'the same key gives back the process the first request started (default: a new one per run, so that a retry after a 429 starts nothing twice)')
      .option('--wait', 'follow the process: each step as it ends, until it ends (exit 0, or 4 failed or aborted) or waits for someone (exit 3)'),
    'print the API answer ({id, status, workflow_id, run_id}); with --wait, the process at the end (progress on stderr)',
  ).action(async (name: string, o: { data?: string; idempotencyKey?: string; wait?: boolean; json?: boolean }) => {
    if (o.data === undefined && !process.stdin.isTTY) usage(`--data '<json>' is needed when not in a terminal (the form: ${cli.name} workflow form ${name})`)
    const answers = o.data !== undefined ? jsonOption(o.data) : await askForm(cli.api, name)
    const key = { 'idempotency-key': o.idempotencyKey ?? randomUUID() }
    let res = await cli.api.request('POST', `/api/processes/${encodeURIComponent(name)}`, answers, key)
    // Not a code workflow: a custom one, registered as data, starts through the catalogue.
    if (res.status === 404) {
      await res.body?.cancel()
      res = await cli.api.request('POST', `/api/catalog/workflows/${encodeURIComponent(name)}/start`, answers, key)
    }
    const started = await cli.api.expectOk<ProcessStartedDto>(res, `workflow start ${name}`)
    if (o.wait) {
      ;(o.json ? process.stderr : process.stdout).write(`started ${name}: process ${started.id}\n`)
      return watch(cli.api, started.id, { json: Boolean(o.json), cli: cli.name })
    }
    if (o.json) return printJson(started)
    console.log(started.id)
    console.error(`started ${name}: process ${started.id} (${started.status}); follow it with ${cli.name} process watch ${started.id}`)
  })

  return workflows
}
