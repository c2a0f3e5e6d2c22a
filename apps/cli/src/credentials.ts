import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

/** Where `npm start` writes the first administrator key. */
export const adminKeyFile = (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()) => {
  const dataDir = env.LOOM_DATA_DIR || '.loom'
  return join(isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir), 'admin-api-key')
}

/**
 * The API key the CLI sends: LOOM_API_KEY, else the key `npm start` wrote to $LOOM_DATA_DIR/admin-api-key. Never a
 * command-line option: arguments are visible to every user of the machine (ps).
 */
export function apiKey(env: NodeJS.ProcessEnv = process.env): { key: string; from: string } | undefined {
  if (env.LOOM_API_KEY) return { key: env.LOOM_API_KEY.trim(), from: 'LOOM_API_KEY' }
  const file = adminKeyFile(env)
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), from: file }
  return undefined
}
