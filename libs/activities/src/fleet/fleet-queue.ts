// A fleet task's work queue in PostgreSQL, as its lanes use it: claims of groups, the devices of what was claimed,
// and outcomes written in batches. Plain SQL on the pool: a lane runs these once per few devices, thousands of
// times a minute, where Prisma's query compiler would cost more than the statements.
import type pg from 'pg'

export interface QueuedDevice {
  device: string
  site: string
  dev_type: string
  os_version: string | null
  group_key: string
  wave: number
}

/** What a device runs after its upgrade, for the inventory. */
export interface DeviceVersion {
  name: string
  version: string
}

export interface DeviceOutcome {
  device: string
  outcome: 'completed' | 'failed'
  /** null when it failed */
  changed: boolean | null
  from_version: string | null
  error: string | null
  started_at: Date
  finished_at: Date
}

/**
 * The lanes of a task together write about this many times a second, whatever their number: progress shows while
 * they work (a lane of ten writes every 100 ms, one of a hundred every second) without a write per device.
 */
const FLUSHES_PER_SECOND = 100
/** … and a lane writes when this many outcomes wait. */
const FLUSH_DEVICES = 100

export class FleetQueue {
  constructor(
    private readonly pool: pg.Pool,
    private readonly processId: string,
    private readonly wave: number,
  ) {}

  /** The groups this lane had claimed and not finished: what its previous attempt was doing when its worker died. */
  async claimedBy(lane: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>(
      `SELECT key FROM fleet_groups WHERE process_id = $1 AND wave = $2 AND state = 'running' AND lane = $3 ORDER BY weight DESC, key`,
      [this.processId, this.wave, lane],
    )
    return rows.map((r) => r.key)
  }

  /**
   * Claims up to `count` pending groups, the longest expected first (so that the last to start are short); answers
   * them and how many were pending before (some may be pending and not claimable: their site is at its limit). With a limit of devices down per site, claims take turns (a lock per task), so
   * that two lanes cannot both take a site's last place.
   */
  async claim(lane: number, count: number, maxDownPerSite: number | null): Promise<{ groups: string[]; pending: number }> {
    const sitePlace = maxDownPerSite === null ? '' : `AND (SELECT count(*) FROM fleet_groups r WHERE r.process_id = g.process_id AND r.site = g.site AND r.state = 'running') < $5`
    const sql = `
      WITH picked AS (
        SELECT key FROM fleet_groups g WHERE g.process_id = $1 AND g.wave = $2 AND g.state = 'pending' ${sitePlace}
        ORDER BY g.weight DESC, g.key LIMIT $4 FOR UPDATE SKIP LOCKED),
      claimed AS (
        UPDATE fleet_groups f SET state = 'running', lane = $3, claimed_at = now() FROM picked
        WHERE f.process_id = $1 AND f.wave = $2 AND f.key = picked.key RETURNING f.key, f.weight)
      SELECT (SELECT coalesce(array_agg(key ORDER BY weight DESC, key), '{}') FROM claimed) AS groups,
             (SELECT count(*)::int FROM fleet_groups WHERE process_id = $1 AND wave = $2 AND state = 'pending') AS pending`
    const params = [this.processId, this.wave, lane, count, ...(maxDownPerSite === null ? [] : [maxDownPerSite])]
    if (maxDownPerSite === null) return answer(await this.pool.query<{ groups: string[]; pending: number }>(sql, params))
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.processId])
      const result = await client.query<{ groups: string[]; pending: number }>(sql, params)
      await client.query('COMMIT')
      return answer(result)
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** The devices of these groups in this wave that have no outcome yet, by group, in their turn. */
  async devicesOf(groups: string[]): Promise<Map<string, QueuedDevice[]>> {
    const { rows } = await this.pool.query<QueuedDevice>(
      `SELECT device, site, dev_type, os_version, group_key, wave FROM fleet_task_devices
       WHERE process_id = $1 AND wave = $2 AND group_key = ANY($3::text[]) AND outcome IS NULL ORDER BY position`,
      [this.processId, this.wave, groups],
    )
    const byGroup = new Map<string, QueuedDevice[]>(groups.map((g) => [g, []]))
    for (const r of rows) byGroup.get(r.group_key)!.push(r)
    return byGroup
  }

  /** Puts groups back for a later run (a halt, an abort): what is done in them stays done. */
  async release(groups: string[]): Promise<void> {
    if (!groups.length) return
    await this.pool.query(`UPDATE fleet_groups SET state = 'pending', lane = NULL WHERE process_id = $1 AND wave = $2 AND key = ANY($3::text[])`, [this.processId, this.wave, groups])
  }

  /** Outcomes, skips and finished groups of a lane, held until `flush` (or until due); `record` writes OS versions to the inventory first. */
  batch(round: number, lanes: number, record: (versions: DeviceVersion[]) => Promise<void>): OutcomeBatch {
    return new OutcomeBatch(this.pool, this.processId, this.wave, round, Math.max(100, (lanes * 1000) / FLUSHES_PER_SECOND), record)
  }
}

const answer = (result: pg.QueryResult<{ groups: string[]; pending: number }>) => result.rows[0]

/**
 * What a lane has done since its last write. Losing it (the worker dies) loses nothing that matters: the lane's
 * retry runs those devices again, and the device calls are idempotent by (task, device).
 */
export class OutcomeBatch {
  private outcomes: DeviceOutcome[] = []
  private versions: DeviceVersion[] = []
  private skipRestOf: string[] = []
  private done: string[] = []
  private last = Date.now()

  constructor(
    private readonly pool: pg.Pool,
    private readonly processId: string,
    private readonly wave: number,
    private readonly round: number,
    private readonly flushMs: number,
    private readonly record: (versions: DeviceVersion[]) => Promise<void>,
  ) {}

  /** `version`: what the device runs now, when that changed */
  add(outcome: DeviceOutcome, version?: string): void {
    this.outcomes.push(outcome)
    if (version) this.versions.push({ name: outcome.device, version })
  }

  /** The rest of the group is skipped (its first failure), in this wave and the next. */
  skipRest(group: string): void {
    this.skipRestOf.push(group)
  }

  groupDone(group: string): void {
    this.done.push(group)
  }

  get due(): boolean {
    return this.outcomes.length >= FLUSH_DEVICES || Date.now() - this.last >= this.flushMs
  }

  /**
   * The inventory's versions first, then one statement: the outcomes, the skips, the groups done. A device with an
   * outcome is one whose version the inventory has (a crash between the two records the version again).
   */
  async flush(): Promise<void> {
    this.last = Date.now()
    if (!this.outcomes.length && !this.skipRestOf.length && !this.done.length) return
    if (this.versions.length) await this.record(this.versions)
    const o = this.outcomes
    await this.pool.query(
      `WITH recorded AS (
         UPDATE fleet_task_devices d SET outcome = o.outcome::fleet_outcome, changed = o.changed, from_version = o.from_version, error = o.error,
           round = $3, started_at = o.started_at, finished_at = o.finished_at
         FROM unnest($4::text[], $5::text[], $6::bool[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
           AS o(device, outcome, changed, from_version, error, started_at, finished_at)
         WHERE d.process_id = $1 AND d.device = o.device AND d.outcome IS NULL RETURNING 1),
       skipped AS (
         UPDATE fleet_task_devices SET outcome = 'skipped', finished_at = now()
         WHERE process_id = $1 AND group_key = ANY($11::text[]) AND outcome IS NULL AND NOT (device = ANY($4::text[])) RETURNING 1),
       finished AS (
         UPDATE fleet_groups SET state = 'done' WHERE process_id = $1 AND wave = $2 AND key = ANY($12::text[]) RETURNING 1)
       SELECT (SELECT count(*) FROM recorded) + (SELECT count(*) FROM skipped) + (SELECT count(*) FROM finished) AS n`,
      [
        this.processId,
        this.wave,
        this.round,
        o.map((x) => x.device),
        o.map((x) => x.outcome),
        o.map((x) => x.changed),
        o.map((x) => x.from_version),
        o.map((x) => x.error),
        o.map((x) => x.started_at),
        o.map((x) => x.finished_at),
        this.skipRestOf,
        this.done,
      ],
    )
    this.outcomes = []
    this.versions = []
    this.skipRestOf = []
    this.done = []
  }
}
