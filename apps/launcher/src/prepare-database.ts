import { PRODUCTS } from '#domain/products/catalog.js'
import { demoDevices, demoPools, PrismaService, seedDevices, seedPools, syncProducts } from '#persistence/index.js'
import { applyMigrations, projectRoot } from '#runtime/index.js'
import { WORKFLOW_DECLARATIONS } from '#workflows/registry.js'

/** Migrations, then the product catalogue from its declarations, then (for `npm start`) the demo routers. */
export async function prepareDatabase(databaseUrl: string, opts: { demoData: boolean; say: (message: string) => void }): Promise<void> {
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
    }
  } finally {
    await prisma.$disconnect()
  }
}
