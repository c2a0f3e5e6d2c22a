// The subscription store at scale: a database of `count` subscriptions (nodes, ports on them, circuits
// between ports, with their relations) and list, search and detail through HTTP, 16 at a time.
import pg from 'pg'
import type { Statement } from '../apps/gateway/src/http/sql.js'
import { detailSql, listStatement } from '../apps/gateway/src/subscriptions/subscription-sql.js'
import { parseSort } from '../apps/gateway/src/http/pagination.js'
import { PRODUCTS } from '#domain/products/catalog.js'
import { PrismaService, syncProducts } from '#persistence/index.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'

/** Fills the catalogue and `count` subscriptions: 10 % nodes, 40 % ports (4 per node), 50 % circuits (2 ports each). */
export async function seedSubscriptions(databaseUrl: string, count: number): Promise<void> {
  const prisma = new PrismaService(databaseUrl)
  await syncProducts(prisma, PRODUCTS, WORKFLOW_DECLARATIONS).finally(() => prisma.$disconnect())
  const nodes = Math.max(1, Math.floor(count / 10))
  const ports = nodes * 4
  const circuits = count - nodes - ports
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  try {
    await sql.query(`
      CREATE TEMP TABLE n AS
        SELECT i, gen_random_uuid() AS id, format('%s-pe%s', (ARRAY['ams','fra','lon','par','mad','waw','vie','cph'])[1 + i % 8], lpad(i::text, 5, '0')) AS name
        FROM generate_series(1, ${nodes}) AS i;
      CREATE TEMP TABLE p AS
        SELECT (n.i - 1) * 4 + k AS i, gen_random_uuid() AS id, n.id AS node_id, n.name AS node_name, format('eth%s', k) AS port_name
        FROM n, generate_series(1, 4) AS k;
      CREATE TEMP TABLE c AS
        SELECT g.j AS i, gen_random_uuid() AS id, a.id AS a_id, b.id AS b_id, a.node_name AS a_name, b.node_name AS b_name, a.port_name AS a_port, b.port_name AS b_port
        FROM generate_series(1, ${circuits}) AS g(j)
        JOIN p a ON a.i = 1 + (g.j * 7) % ${ports}
        JOIN p b ON b.i = 1 + (g.j * 13 + 1) % ${ports};

      INSERT INTO subscriptions (id, product, customer_id, description, lifecycle, insync, version, domain_model, created_at, updated_at)
        SELECT id, 'node', format('customer-%s', i % 50), format('Node %s (router, %s)', name, left(name, 3)), 'active', true, 1,
               jsonb_build_object('node', jsonb_build_object('device_name', name, 'role', 'router', 'vendor', 'frr', 'platform', 'frr', 'site', left(name, 3),
                 'management_address', format('10.%s.%s.%s', i / 65536 % 256, i / 256 % 256, i % 256), 'loopback_ipv4', format('10.255.%s.%s/32', i / 256 % 256, i % 256),
                 'loopback_ipv6', format('2001:db8::%s/128', to_hex(i)), 'igp_protocol', 'ospf', 'igp_area', '0.0.0.0')),
               now() - make_interval(secs => ${count} - i), now()
        FROM n;
      INSERT INTO subscriptions (id, product, customer_id, description, lifecycle, insync, version, domain_model, created_at, updated_at)
        SELECT id, CASE WHEN i % 5 = 0 THEN 'port_100g' ELSE 'port_10g' END, format('customer-%s', i % 50), format('%s on %s', port_name, node_name),
               'active', true, 1,
               jsonb_build_object('port', jsonb_build_object('node', node_id, 'port_name', port_name, 'port_description', format('%s %s', node_name, port_name), 'enabled', true)),
               now() - make_interval(secs => ${count} - ${nodes} - i), now()
        FROM p;
      INSERT INTO subscriptions (id, product, customer_id, description, lifecycle, insync, version, domain_model, created_at, updated_at)
        SELECT id, CASE WHEN i % 4 = 0 THEN 'circuit_100g' ELSE 'circuit_10g' END, format('customer-%s', i % 50),
               format('%s %s — %s %s', a_name, a_port, b_name, b_port), CASE WHEN i % 10 = 0 THEN 'provisioning' ELSE 'active' END::lifecycle, true, 1,
               jsonb_build_object('circuit', jsonb_build_object('side_a', jsonb_build_object('port', a_id), 'side_b', jsonb_build_object('port', b_id),
                 'igp_metric', 10 + i % 90, 'mode', CASE WHEN i % 3 = 0 THEN 'maintenance' ELSE 'normal' END)),
               now() - make_interval(secs => ${circuits} - i), now()
        FROM c;
      UPDATE subscriptions SET search_text = lower(concat_ws(' ', description, customer_id, product,
        (SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(domain_model, 'strict $.**') AS v WHERE jsonb_typeof(v) IN ('string', 'number'))));
      INSERT INTO subscription_relations (in_use_by_id, path, depends_on_id) SELECT id, 'port.node', node_id FROM p;
      INSERT INTO subscription_relations (in_use_by_id, path, depends_on_id) SELECT id, 'circuit.side_a.port', a_id FROM c;
      INSERT INTO subscription_relations (in_use_by_id, path, depends_on_id) SELECT id, 'circuit.side_b.port', b_id FROM c;
      ANALYZE;
    `)
  } finally {
    await sql.end()
  }
}

/** The plans of the hot queries, as the API writes them (the same statements, filters, order and page size). */
export async function explainHotQueries(databaseUrl: string, searchFor: string, detailOf: string): Promise<Record<string, string>> {
  const sql = new pg.Client({ connectionString: databaseUrl })
  await sql.connect()
  const plan = async ({ text, values }: Statement) =>
    (await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, SUMMARY ON) ${text}`, values)).rows.map((r) => r['QUERY PLAN']).join('\n')
  const newestFirst = parseSort(undefined, { created_at: { field: 'createdAt', dates: true } })
  try {
    return {
      'filtered page and total (product + lifecycle, newest first, 51 rows)': await plan(listStatement({ product: 'circuit_10g', lifecycle: 'active' }, { all: true }, newestFirst, undefined, 50)),
      'text search, page and total': await plan(listStatement({ q: searchFor }, { all: true }, newestFirst, undefined, 50)),
      'detail with relations and processes': await plan({ text: detailSql, values: [detailOf, null] }),
    }
  } finally {
    await sql.end()
  }
}
