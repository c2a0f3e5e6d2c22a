// `subscription list|get|versions`: the services Loom keeps, their product blocks and how they changed.
import { Command, Option } from 'commander'
import type { SubscriptionDto, SubscriptionSummaryDto, SubscriptionVersionDto } from '#contracts/index.js'
import { type Cli, idArgument, idOf, jsonAndExitCodes, pageOptions, type PageOptions, printPage } from './command-kit.js'
import { query } from './http.js'
import { fields, printJson } from './output.js'

const LIFECYCLES = ['initial', 'provisioning', 'active', 'disabled', 'terminated', 'migrating']

interface ListOptions extends PageOptions {
  q?: string
  product?: string
  lifecycle?: string
  customer?: string
  tag?: string
  insync?: string
}

export function subscriptionCommands(cli: Cli): Command {
  const subscriptions = new Command('subscription').description('subscriptions: search them, read one with its product blocks and relations, and its versions')

  pageOptions(
    jsonAndExitCodes(
      subscriptions
        .command('list')
        .description('subscriptions, newest first, one page; search text and filters')
        .option('--q <text>', 'text in the description, customer, product or any block value')
        .option('--product <name>', 'only this product, e.g. node')
        .addOption(new Option('--lifecycle <state>', 'only in this lifecycle state').choices(LIFECYCLES))
        .option('--customer <id>', 'only of this customer')
        .option('--tag <tag>', 'only products with this tag, e.g. PORT')
        .addOption(new Option('--insync <bool>', 'only in sync (true) or not (false)').choices(['true', 'false'])),
      'print the API body ({items, total, next_cursor}) as is',
    ),
  ).action((o: ListOptions) => {
    const path = `/api/subscriptions${query({ q: o.q, product: o.product, lifecycle: o.lifecycle, customer_id: o.customer, tag: o.tag, insync: o.insync })}`
    const row = (s: SubscriptionSummaryDto) => ({ id: s.id, product: s.product, lifecycle: s.lifecycle, insync: s.insync ? 'yes' : 'no', customer: s.customer_id, description: s.description })
    return printPage(cli, path, o, row, ['id', 'product', 'lifecycle', 'insync', 'customer', 'description'], 'subscription list')
  })

  jsonAndExitCodes(idArgument(subscriptions.command('get').description('one subscription: its product blocks, what it depends on and what uses it, its processes'))).action(
    async (id: string | undefined, o: { id?: string; json?: boolean }) => {
      const wanted = idOf(id, o)
      const s = await cli.api.getOk<SubscriptionDto>(`/api/subscriptions/${encodeURIComponent(wanted)}`, `subscription ${wanted}`)
      if (o.json) return printJson(s)
      const relation = (r: SubscriptionDto['depends_on'][number]) => `${r.subscription_id} ${r.product} (${r.path}): ${r.description}`
      console.log(fields({ id: s.id, product: s.product, description: s.description, customer: s.customer?.name ?? s.customer_id, lifecycle: s.lifecycle, insync: s.insync, locked_by: s.locked_by, version: s.version, note: s.note, start_date: s.start_date, end_date: s.end_date }))
      console.log('product blocks:')
      for (const [block, values] of Object.entries(s.domain_model)) console.log(`  ${block}: ${JSON.stringify(values)}`)
      for (const [name, list] of [['depends on', s.depends_on], ['in use by', s.in_use_by]] as const) if (list.length) console.log(`${name}:\n${list.map((r) => `  ${relation(r)}`).join('\n')}`)
      if (s.processes.length) console.log(`processes:\n${s.processes.map((p) => `  ${p.id} ${p.workflow} ${p.status} ${p.created_at}`).join('\n')}`)
    },
  )

  pageOptions(
    jsonAndExitCodes(idArgument(subscriptions.command('versions').description("a subscription's versions: the model after each change, who made it and with which process")), 'print the API body ({items, total, next_cursor}) as is'),
  ).action((id: string | undefined, o: PageOptions & { id?: string }) => {
    const wanted = idOf(id, o)
    const row = (v: SubscriptionVersionDto) => ({ version: String(v.version), lifecycle: v.lifecycle, actor: v.actor ?? '-', process: v.process_id ?? '-', step: v.step ?? '-', created_at: v.created_at, description: v.description })
    return printPage(cli, `/api/subscriptions/${encodeURIComponent(wanted)}/versions`, o, row, ['version', 'lifecycle', 'actor', 'process', 'step', 'created_at', 'description'], `subscription versions ${wanted}`)
  })

  return subscriptions
}
