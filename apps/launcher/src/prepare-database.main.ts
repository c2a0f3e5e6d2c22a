// The database job of a deployment (docker-compose's `migrate` service): migrations and the product catalogue,
// no demo data; the payload keys and the first administrator key in $LOOM_DATA_DIR/admin-api-key unless it holds one already. Exits 0
// when the database is ready, 1 with the reason otherwise.
import { join } from 'node:path'
import { loadConfig } from '#config/index.js'
import { ensurePayloadKeysFile } from '#integrations/temporal/payload-keys-file.js'
import { ADMIN_KEY_FILE } from './admin-key-file.js'
import { prepareDatabase } from './prepare-database.js'

async function main() {
  const { databaseUrl, defaultCustomerId, dataDir, temporalSecurity, demoFleet } = loadConfig()
  if (!databaseUrl) throw new Error('DATABASE_URL is not set')
  // The key that encrypts Temporal payloads, for the gateway and workers to read (docker compose: a shared volume).
  const payloadKeys = join(dataDir, 'payload-keys')
  if (!temporalSecurity.payloadKeys && ensurePayloadKeysFile(payloadKeys).created) console.log(`loom: made the key that encrypts Temporal payloads: ${payloadKeys}`)
  await prepareDatabase(databaseUrl, { demoData: false, say: (m) => console.log(`loom: ${m}`), defaultCustomerId, adminKeyFile: join(dataDir, ADMIN_KEY_FILE), demoFleet })
}

main().catch((error: unknown) => {
  console.error(`loom: cannot prepare the database: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1 // and let the process end by itself: nothing else is left running
})
