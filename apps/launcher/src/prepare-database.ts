import { PRODUCTS } from '#domain/products/catalog.js'
import { demoCustomers, demoDevices, demoPools, ensureAdminKeyFile, PrismaService, seedAcmeFleet, seedCustomers, seedDevices, seedPools, syncProducts } from '#persistence/index.js'
import { applyMigrations, projectRoot } from '#runtime/index.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'

/**
 * Migrations, then the product catalogue from its declarations, then (for `npm start`) the demo routers, pools and
 * customer; always the default customer (LOOM_DEFAULT_CUSTOMER_ID), which start forms propose and must therefore exist;
 * the demo fleet LOOM_DEMO_FLEET names, if any (asked for by name, so also without the rest of the demo data); and,
 * given a file, the first administrator key in it unless it holds one already (the installation is not open).
 */
export async function prepareDatabase(
  databaseUrl: string,
  opts: { demoData: boolean; say: (message: string) => void; defaultCustomerId?: string; adminKeyFile?: string; demoFleet?: 'acme' },
): Promise<void> {
  opts.say('applying database migrations')
  await applyMigrations(databaseUrl)
  const prisma = new PrismaService(databaseUrl)
  try {
    const { changes } = await syncProducts(prisma, PRODUCTS, WORKFLOW_DECLARATIONS)
    opts.say(changes.length ? `product catalogue: ${changes.join(', ')}` : 'product catalogue up to date')
    if (opts.demoData) {
      const added = await seedDevices(prisma, demoDevices(projectRoot()))
      if (added) opts.say(`added ${added} planned demo routers to the built-in DCIM (prisma/seed/demo-devices.json)`)
      const pools = await seedPools(prisma, demoPools(projectRoot()))
      if (pools) opts.say(`added ${pools} demo pools to the built-in IPAM (prisma/seed/demo-ipam.json)`)
      const customers = await seedCustomers(prisma, demoCustomers(projectRoot()))
      if (customers) opts.say(`added ${customers} demo customer${customers === 1 ? '' : 's'} (prisma/seed/demo-customers.json)`)
    }
    if (opts.demoFleet === 'acme') {
      const { added, total } = await seedAcmeFleet(prisma)
      opts.say(`ACME fleet (LOOM_DEMO_FLEET): ${total} devices in the built-in DCIM${added ? `, ${added} added` : ''}`)
    }
    const defaultCustomer = opts.defaultCustomerId ?? 'acme'
    if (await seedCustomers(prisma, [{ id: defaultCustomer, name: defaultCustomer }])) opts.say(`added the default customer ${defaultCustomer} (LOOM_DEFAULT_CUSTOMER_ID)`)
    if (opts.adminKeyFile) {
      const admin = await ensureAdminKeyFile(prisma, opts.adminKeyFile)
      if (admin.created) opts.say(`made the first administrator API key: ${opts.adminKeyFile} (mode 600; the CLI reads it, or send it as Authorization: Bearer <key>)`)
      if (admin.missing) {
        opts.say(`${opts.adminKeyFile} holds no working key: the first administrator key was made before and is gone (revoked, or the file removed). Use another administrator's key (loom keys create --owner … --roles admin); it is not made again by itself.`)
      }
    }
  } finally {
    await prisma.$disconnect()
  }
}
