/**
 * What was computed from content that never changes (a custom workflow version, a service's input schema), kept
 * for the `limit` most recently used keys: a gateway's memory stays flat however many there are.
 */
export class RecentlyUsed<V> {
  private readonly entries = new Map<string, V>()

  constructor(private readonly limit: number) {}

  /** The value kept for `key`, if any (then the most recently used). */
  find(key: string): V | undefined {
    const found = this.entries.get(key)
    if (found !== undefined) this.get(key, () => found)
    return found
  }

  get(key: string, compute: () => V): V {
    const found = this.entries.get(key)
    // Most recently used last: the first key is the one to drop.
    this.entries.delete(key)
    const value = found ?? compute()
    this.entries.set(key, value)
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!)
    return value
  }
}
