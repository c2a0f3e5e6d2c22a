// Notification templates: one plain-text file per template, `<name>.txt` in the templates folder (the ones Loom
// ships, or LOOM_NOTIFY_TEMPLATES). The first line is `Subject: …`, then an empty line, then the body; `{{field}}`
// is replaced by the field's value. A template that is missing, has no subject, or uses a field the step does not
// provide is a `TemplateError` naming the template and the field, never a mail with a hole in it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '#runtime/project-root.js'
import { HookError } from '../hooks/hook-error.js'

/** The templates Loom ships (read from the source tree: the build does not copy text files). */
export function builtinTemplatesDir(): string {
  return join(projectRoot(), 'libs', 'integrations', 'src', 'notifications', 'templates')
}

export type TemplateFields = Record<string, string>

export interface RenderedMessage {
  subject: string
  body: string
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

const templateError = (message: string) => new HookError('TemplateError', message, false)

/** Reads `<dir>/<name>.txt` and fills it from `fields`. */
export function renderTemplate(dir: string, name: string, fields: TemplateFields): RenderedMessage {
  if (!NAME.test(name)) throw templateError(`notification template name ${JSON.stringify(name)} is not valid: lower-case letters, digits, _ and -`)
  const file = `${name}.txt`
  let text: string
  try {
    text = readFileSync(join(dir, file), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw templateError(code === 'ENOENT' ? `no notification template ${file} in ${dir}` : `notification template ${file} cannot be read: ${code}`)
  }
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const subjectLine = /^Subject:\s*(.*)$/i.exec(lines[0] ?? '')
  if (!subjectLine || !subjectLine[1].trim()) throw templateError(`notification template ${file} must start with a "Subject: …" line`)
  if (lines.length > 1 && lines[1].trim() !== '') throw templateError(`notification template ${file} needs an empty line between the subject and the body`)
  const missing = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((f) => !Object.hasOwn(fields, f)))]
  if (missing.length) {
    throw templateError(
      `notification template ${file} uses ${missing.map((f) => `{{${f}}}`).join(', ')}, which the step does not provide (it provides ${Object.keys(fields).sort().join(', ')})`,
    )
  }
  const fill = (s: string) => s.replace(PLACEHOLDER, (_m, f: string) => fields[f])
  const rest = lines.slice(2).join('\n')
  // What is left of a placeholder after filling comes from the template (a typo such as "{{ name }" or "{{2x}}"), not from a value.
  const stray = /\{\{[^\n]{0,40}/.exec(rest.replace(PLACEHOLDER, '') + '\n' + subjectLine[1].replace(PLACEHOLDER, ''))
  if (stray) throw templateError(`notification template ${file} has a malformed placeholder near "${stray[0]}" (expected {{field}})`)
  return { subject: fill(subjectLine[1].trim()).replace(/[\r\n]+/g, ' '), body: fill(rest).replace(/\n*$/, '\n') }
}
