// `--wait` and `process watch`: each step printed as it ends, then how the process stopped, and the exit code a
// script acts on (0 completed, 3 waiting for someone, 4 failed or aborted). Any command that starts a process
// (workflow start, instance run) ends with watch().
import type { ProcessDto } from '#contracts/index.js'
import { FollowError, followProcess } from './follow.js'
import type { Api } from './http.js'
import { EXIT, printJson } from './output.js'
import { exitCodeOf, goOnLines, outcomeLine, stepLine } from './process-view.js'

export interface WatchOptions {
  /** stdout carries the process as the API gives it at the end; progress goes to stderr */
  json: boolean
  /** this CLI's name, for the commands it prints */
  cli: string
}

/** Follows the process to its end or to what it waits for; sets process.exitCode. */
export async function watch(api: Api, id: string, { json, cli }: WatchOptions): Promise<void> {
  const out = json ? process.stderr : process.stdout
  const say = (line: string) => out.write(`${line}\n`)
  const shown = new Set<string>()
  const show = (p: ProcessDto) => {
    for (const s of p.steps) {
      const key = `${s.kind}:${s.name}:${s.status}`
      // A step is printed when it ends, and again only if it ends another way (failed, then retried to success).
      if (!['success', 'skipped', 'failed'].includes(s.status) || shown.has(key)) continue
      shown.add(key)
      say(stepLine(s))
    }
  }
  const interrupted = () => {
    console.error(`stopped watching; the process goes on: ${cli} process watch ${id}`)
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  let p: ProcessDto
  try {
    p = await followProcess({ base: api.base, id, headers: api.headers(), what: `process ${id}`, seen: show })
  } catch (error) {
    if (!(error instanceof FollowError)) throw error
    console.error(error.message)
    process.exitCode = EXIT.error
    return
  } finally {
    process.off('SIGINT', interrupted)
  }
  say(`${outcomeLine(p)}   (process ${p.id})`)
  for (const line of goOnLines(p, cli)) say(line)
  if (json) printJson(p)
  process.exitCode = exitCodeOf(p)
}
