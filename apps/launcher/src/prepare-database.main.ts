// The database job of a deployment (docker-compose's `migrate` service): migrations and the product catalogue,
// no demo data. Exits 0 when the database is ready, 1 with the reason otherwise.
import { loadConfig } from '#config/index.js'
import { prepareDatabase } from './prepare-database.js'

async function main() {
  const { databaseUrl, defaultCustomerId } = loadConfig()
  if (!databaseUrl) throw new Error('DATABASE_URL is not set')
  await prepareDatabase(databaseUrl, { demoData: false, say: (m) => console.log(`loom: ${m}`), defaultCustomerId })
}

main().catch((error: unknown) => {
  console.error(`loom: cannot prepare the database: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1 // and let the process end by itself: nothing else is left running
})
