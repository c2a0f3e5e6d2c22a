import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `probe` until it returns true; throws `describe()` after `timeoutMs`. */
export async function waitFor(
  probe: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs = 200, describe }: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await Promise.resolve().then(probe).catch(() => false)) return
    if (Date.now() > deadline) throw new Error(describe())
    await sleep(intervalMs)
  }
}
