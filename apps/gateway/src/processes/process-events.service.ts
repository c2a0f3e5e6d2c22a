import { Injectable, type OnModuleDestroy } from '@nestjs/common'
import type pg from 'pg'
import { PrismaService } from '#persistence/index.js'

const CHANNEL = 'loom_process_changes'

/**
 * Fans PostgreSQL's notifications of process changes (a trigger on processes and process_steps) out to whoever
 * follows a process. One connection LISTENs, taken from the pool when the first follower comes and given back
 * when the last one leaves; a dropped connection is replaced, and followers are told so that they re-read.
 */
@Injectable()
export class ProcessEventsService implements OnModuleDestroy {
  private readonly followers = new Map<string, Set<() => void>>()
  private listener: Promise<pg.PoolClient> | undefined

  constructor(private readonly prisma: PrismaService) {}

  /** Calls `changed` after every committed change to the process; returns the function that stops it. */
  async follow(processId: string, changed: () => void): Promise<() => void> {
    let set = this.followers.get(processId)
    if (!set) this.followers.set(processId, (set = new Set()))
    set.add(changed)
    const stop = () => {
      set.delete(changed)
      if (!set.size) this.followers.delete(processId)
      if (!this.followers.size) void this.unlisten()
    }
    try {
      await this.listen()
    } catch (error) {
      stop()
      throw error
    }
    return stop
  }

  async onModuleDestroy() {
    this.followers.clear()
    await this.unlisten()
  }

  private listen(): Promise<pg.PoolClient> {
    this.listener ??= (async () => {
      const client = await this.prisma.pool.connect()
      client.on('notification', (n) => {
        for (const notify of this.followers.get(n.payload ?? '') ?? []) notify()
      })
      client.on('error', () => {
        // The connection is gone: the next follow() listens anew; present followers re-read now.
        this.listener = undefined
        client.release(true)
        for (const set of this.followers.values()) for (const notify of set) notify()
        if (this.followers.size) void this.listen()
      })
      await client.query(`LISTEN ${CHANNEL}`)
      return client
    })().catch((error: Error) => {
      // No connection (the database restarting): the next follow() tries again.
      this.listener = undefined
      throw error
    })
    return this.listener
  }

  private async unlisten(): Promise<void> {
    const pending = this.listener
    this.listener = undefined
    if (!pending) return
    const client = await pending.catch(() => undefined)
    if (!client) return
    await client.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined)
    client.release()
  }
}
