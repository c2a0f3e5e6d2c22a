// `workflow start <name>` in a terminal without --data: the start form asked field by field, page by page. Each page
// comes from the API (GET /api/workflows/{name}/form, then POST it with the answers so far), so its choices are
// the live ones and a later page can depend on an earlier answer; a page the API refuses is asked again where it is
// at fault. Prompts go to stderr, so that stdout keeps only what the command prints.
import { createInterface, type Interface } from 'node:readline'
import type { Api } from './http.js'
import { EXIT, problemText } from './output.js'

/** The JSON Schema of one field, as the gateway's forms emit them (zod's toJSONSchema). */
export interface FieldSchema {
  type?: string | string[]
  title?: string
  description?: string
  enum?: unknown[]
  oneOf?: { const?: unknown; title?: string }[]
  const?: unknown
  default?: unknown
  items?: FieldSchema
}

export interface FormPage {
  title?: string
  properties?: Record<string, FieldSchema>
  required?: string[]
  'x-loom-page'?: number
  'x-loom-pages'?: number
}

type Check = { complete: true } | { complete: false; page: number; pages: number; form: FormPage }

/** The values a field may take, with what to call each: `enum`, or `oneOf` of `{const, title}`. */
export function choicesOf(field: FieldSchema): { value: unknown; label: string }[] | undefined {
  if (field.enum) return field.enum.map((value) => ({ value, label: String(value) }))
  if (field.oneOf?.every((o) => 'const' in o)) return field.oneOf.map((o) => ({ value: o.const, label: o.title ? `${String(o.const)} (${o.title})` : String(o.const) }))
  return undefined
}

const typeOf = (field: FieldSchema) => (Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : field.type)

/** What a person typed, as the field's type wants it; a string saying what is wrong otherwise. */
export function parseAnswer(field: FieldSchema, text: string): { value: unknown } | { error: string } {
  const choices = choicesOf(field)
  if (choices) {
    const index = /^\d+$/.test(text) ? Number(text) - 1 : -1
    const chosen = choices[index] ?? choices.find((c) => String(c.value) === text)
    return chosen ? { value: chosen.value } : { error: `choose a number from 1 to ${choices.length}, or one of the values` }
  }
  switch (typeOf(field)) {
    case 'boolean':
      if (/^(y|yes|true)$/i.test(text)) return { value: true }
      if (/^(n|no|false)$/i.test(text)) return { value: false }
      return { error: 'answer y or n' }
    case 'integer':
    case 'number': {
      const n = Number(text)
      if (!Number.isFinite(n) || (typeOf(field) === 'integer' && !Number.isInteger(n))) return { error: `expected ${typeOf(field) === 'integer' ? 'a whole number' : 'a number'}` }
      return { value: n }
    }
    case 'array': {
      const items = text.split(',').map((t) => t.trim()).filter(Boolean)
      const parsed = items.map((t) => parseAnswer(field.items ?? {}, t))
      const bad = parsed.find((p) => 'error' in p)
      return bad ?? { value: parsed.map((p) => (p as { value: unknown }).value) }
    }
    case 'object':
      try {
        return { value: JSON.parse(text) as unknown }
      } catch {
        return { error: 'expected JSON, e.g. {"key": "value"}' }
      }
    default:
      return { value: text }
  }
}

/** Reads answers from a terminal; the input ending before the form does ends the command. */
class Prompter {
  private readonly rl: Interface
  private closed = false
  private waiting: ((line: string | undefined) => void) | undefined
  private readonly lines: string[] = []

  constructor() {
    this.rl = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) })
    this.rl.on('line', (line) => (this.waiting ? this.take(line) : this.lines.push(line)))
    this.rl.on('close', () => {
      this.closed = true
      this.take(undefined)
    })
  }

  private take(line: string | undefined): void {
    const resolve = this.waiting
    this.waiting = undefined
    resolve?.(line)
  }

  async question(prompt: string): Promise<string> {
    process.stderr.write(prompt)
    const line = this.lines.shift() ?? (this.closed ? undefined : await new Promise<string | undefined>((resolve) => (this.waiting = resolve)))
    if (line === undefined) {
      console.error('\nthe input ended before the form did; nothing was started')
      process.exit(EXIT.usage)
    }
    return line.trim()
  }

  close(): void {
    this.rl.close()
  }
}

async function askField(prompter: Prompter, name: string, field: FieldSchema, required: boolean): Promise<{ value: unknown } | undefined> {
  const choices = choicesOf(field)
  const heading = `${field.title ?? name}${field.title ? ` (${name})` : ''}${required ? '' : ', optional'}${field.description ? ` — ${field.description}` : ''}`
  process.stderr.write(`${heading}\n`)
  if (choices) choices.forEach((c, i) => process.stderr.write(`  ${i + 1}) ${c.label}\n`))
  const hint = typeOf(field) === 'boolean' ? ' [y/n]' : typeOf(field) === 'array' ? ' (comma-separated)' : ''
  const shownDefault = field.default !== undefined ? ` [${typeof field.default === 'string' ? field.default : JSON.stringify(field.default)}]` : ''
  for (;;) {
    const text = await prompter.question(`${name}${hint}${shownDefault}: `)
    if (text === '') {
      if (field.default !== undefined || !required) return undefined // the API applies the default
      process.stderr.write(`  ${name} is required\n`)
      continue
    }
    const parsed = parseAnswer(field, text)
    if ('value' in parsed) return parsed
    process.stderr.write(`  ${parsed.error}\n`)
  }
}

/** Asks every page of the workflow's start form; the answers, once the API says the form is complete. */
export async function askForm(api: Api, workflow: string): Promise<Record<string, unknown>> {
  const path = `/api/workflows/${encodeURIComponent(workflow)}/form`
  let page = await api.getOk<FormPage>(path, `workflow form ${workflow}`)
  const answers: Record<string, unknown> = {}
  const prompter = new Prompter()
  try {
    let ask = Object.keys(page.properties ?? {})
    for (;;) {
      process.stderr.write(`${page.title ?? workflow}: page ${page['x-loom-page'] ?? 1} of ${page['x-loom-pages'] ?? 1}\n`)
      for (const name of ask) {
        const answer = await askField(prompter, name, page.properties?.[name] ?? {}, page.required?.includes(name) ?? false)
        if (answer) answers[name] = answer.value
        else delete answers[name]
      }
      const res = await api.request('POST', path, answers)
      const body = (await res.json().catch(() => null)) as (Check & { errors?: { path: string }[] }) | null
      if (res.status === 422) {
        console.error(problemText('the form', res.status, body))
        const fields = Object.keys(page.properties ?? {})
        const atFault = (body?.errors ?? []).map((e) => e.path.split('.')[0]).filter((p) => fields.includes(p))
        ask = atFault.length ? [...new Set(atFault)] : fields
        continue
      }
      if (!res.ok || !body) {
        console.error(problemText(`workflow form ${workflow}`, res.status, body))
        process.exit(EXIT.error)
      }
      if (body.complete) return answers
      page = body.form
      ask = Object.keys(page.properties ?? {})
    }
  } finally {
    prompter.close()
  }
}
