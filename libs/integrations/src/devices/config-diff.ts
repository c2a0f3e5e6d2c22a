// A driver's diff — frr-reload.py's layout ("Lines To Delete" / "Lines To Add", each changed line under the context
// it belongs to, whole contexts as one line) — read back as changes per configuration context, so that a check can
// ask what differs on one interface without reading the rest of the router.

/** A change to one context: its lines removed (`- …`) and added (`+ …`); the context line itself when it goes or comes whole. */
export type ContextChanges = Record<string, string[]>

const SECTION = /^Lines To (Delete|Add)$/
const RULE = /^=+$/

/**
 * Groups a diff's lines by the top-level context they change (`interface eth1`, `router ospf`, `hostname r1`).
 * A deleted line reads `no …` in the diff and `- …` here; an added one `+ …`. Empty for an empty diff.
 */
export function changesByContext(diff: string): ContextChanges {
  const changes: ContextChanges = {}
  let sign = '+'
  let context: string | null = null
  let contextHadLines = true
  let header = ''
  const closeHeader = () => {
    // A context line with nothing under it: the context itself goes (no …) or comes.
    if (context !== null && !contextHadLines) changes[context].push(`${sign} ${header}`)
  }
  for (const raw of diff.split('\n')) {
    const line = raw.trimEnd()
    const section = SECTION.exec(line.trim())
    if (section) {
      closeHeader()
      context = null
      contextHadLines = true
      sign = section[1] === 'Delete' ? '-' : '+'
      continue
    }
    if (!line.trim() || RULE.test(line.trim())) continue
    if (!/^\s/.test(line)) {
      closeHeader()
      header = line.replace(/^no /, '')
      context = header
      changes[context] ??= []
      contextHadLines = false
      continue
    }
    if (context === null) continue
    contextHadLines = true
    changes[context].push(`${sign} ${line.trim().replace(/^no /, sign === '-' ? '' : 'no ')}`)
  }
  closeHeader()
  return Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, [...new Set(v)]]))
}
