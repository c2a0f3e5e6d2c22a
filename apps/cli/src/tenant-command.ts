// `tenant list|add|get|delete` and `tenant member list|add|remove`: the tenants (SODA's projects) an administrator
// keeps, and who is in them. `-t/--project_id` then names the one a command acts in.
import { Command, Option } from 'commander'
import type { TenantDto, TenantMemberDto } from '#contracts/index.js'
import { type Cli, jsonAndExitCodes, pageOptions, type PageOptions, printPage } from './command-kit.js'
import { fields, printJson } from './output.js'

const tenantText = (t: TenantDto) => fields({ id: t.id, name: t.name, description: t.description, members: t.members, created_by: t.created_by, created_at: t.created_at })
const path = (id: string) => `/api/tenants/${encodeURIComponent(id)}`

export function tenantCommands(cli: Cli): Command {
  const tenants = new Command('tenant').description("tenants (SODA's projects): what each owns is seen and changed by its members only")

  pageOptions(jsonAndExitCodes(tenants.command('list').description('the tenants, by id'), 'print the API body ({items, total, next_cursor}) as is')).action((o: PageOptions) =>
    printPage<TenantDto>(cli, '/api/tenants', o, (t) => ({ id: t.id, name: t.name, members: String(t.members), created_at: t.created_at }), ['id', 'name', 'members', 'created_at'], 'tenant list'),
  )

  jsonAndExitCodes(
    tenants.command('add <id>').description('make a tenant (an administrator)').requiredOption('--name <name>', 'what people call it').option('--description <text>', 'what it is for'),
  ).action(async (id: string, o: { name: string; description?: string; json?: boolean }) => {
    const t = await cli.api.expectOk<TenantDto>(await cli.api.request('POST', '/api/tenants', { id, name: o.name, ...(o.description ? { description: o.description } : {}) }), 'tenant add')
    return o.json ? printJson(t) : console.log(tenantText(t))
  })

  jsonAndExitCodes(tenants.command('get <id>').description('one tenant')).action(async (id: string, o: { json?: boolean }) => {
    const t = await cli.api.getOk<TenantDto>(path(id), 'tenant get')
    return o.json ? printJson(t) : console.log(tenantText(t))
  })

  jsonAndExitCodes(tenants.command('delete <id>').description('remove a tenant that owns nothing (refused, saying what it owns)'), 'print {"id", "deleted": true}').action(async (id: string, o: { json?: boolean }) => {
    await cli.api.expectOk(await cli.api.request('DELETE', path(id)), 'tenant delete')
    return o.json ? printJson({ id, deleted: true }) : console.log(`deleted tenant ${id}`)
  })

  const members = tenants.command('member').description("a tenant's members: people (all their keys and tokens) or single API keys")
  jsonAndExitCodes(members.command('list <tenant>').description('the members of a tenant'), 'print the API body as is').action((tenant: string, o: PageOptions) =>
    printPage<TenantMemberDto>(cli, `${path(tenant)}/members`, o, (m) => ({ id: m.id, kind: m.kind, member: m.member, created_at: m.created_at }), ['id', 'kind', 'member', 'created_at'], 'tenant member list'),
  )
  jsonAndExitCodes(
    members
      .command('add <tenant> <member>')
      .description('add a member: a canonical user id (key:alice, <issuer>#<subject>) or, with --kind api_key, an API key id')
      .addOption(new Option('--kind <kind>', 'what the member is').choices(['user', 'api_key']).default('user')),
  ).action(async (tenant: string, member: string, o: { kind: string; json?: boolean }) => {
    const m = await cli.api.expectOk<TenantMemberDto>(await cli.api.request('POST', `${path(tenant)}/members`, { kind: o.kind, member }), 'tenant member add')
    return o.json ? printJson(m) : console.log(`${m.member} is a member of ${m.tenant_id} (membership ${m.id})`)
  })
  jsonAndExitCodes(members.command('remove <tenant> <membership-id>').description('remove a membership (its id: tenant member list)'), 'print {"id", "deleted": true}').action(
    async (tenant: string, id: string, o: { json?: boolean }) => {
      await cli.api.expectOk(await cli.api.request('DELETE', `${path(tenant)}/members/${encodeURIComponent(id)}`), 'tenant member remove')
      return o.json ? printJson({ id, deleted: true }) : console.log(`removed membership ${id} from ${tenant}`)
    },
  )
  return tenants
}
