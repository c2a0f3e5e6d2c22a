import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { HookError } from '../hooks/hook-error.js'
import { builtinTemplatesDir, renderTemplate } from './templates.js'

const dir = mkdtempSync(join(tmpdir(), 'loom-templates-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, text: string) => writeFileSync(join(dir, `${name}.txt`), text)

const failsWith = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HookError, `expected a HookError, got ${String(error)}`)
    assert.equal(error.type, 'TemplateError')
    assert.equal(error.retryable, false)
    assert.match(error.message, pattern)
    return true
  })

describe('notification templates', () => {
  test('the subject line and the body are filled from the fields, {{ field }} with spaces too', () => {
    write('greeting', 'Subject: Hello {{customer_name}}\n\nDear {{ customer_name }},\nyour {{what}} is ready.\n')
    assert.deepEqual(renderTemplate(dir, 'greeting', { customer_name: 'ACME', what: 'circuit' }), { subject: 'Hello ACME', body: 'Dear ACME,\nyour circuit is ready.\n' })
  })

  test('a value cannot add header lines to the subject, nor be read as a placeholder', () => {
    write('inject', 'Subject: Hi {{name}}\n\n{{name}}\n')
    const out = renderTemplate(dir, 'inject', { name: 'x\r\nBcc: eve@example.net {{name}}' })
    assert.equal(out.subject, 'Hi x Bcc: eve@example.net {{name}}')
    assert.equal(out.body, 'x\r\nBcc: eve@example.net {{name}}\n')
  })

  test('a field the step does not provide is named, with what it does provide', () => {
    write('needs', 'Subject: {{ticket}}\n\n{{customer_name}} {{other}}\n')
    failsWith(() => renderTemplate(dir, 'needs', { customer_name: 'ACME' }), /needs\.txt uses \{\{ticket\}\}, \{\{other\}\}, which the step does not provide \(it provides customer_name\)/)
  })

  test('a missing template, a missing subject, no empty line or a malformed placeholder is a TemplateError naming the file', () => {
    failsWith(() => renderTemplate(dir, 'nowhere', {}), /no notification template nowhere\.txt in /)
    write('nosubject', 'Hello\n\nbody\n')
    failsWith(() => renderTemplate(dir, 'nosubject', {}), /nosubject\.txt must start with a "Subject: …" line/)
    write('noblank', 'Subject: x\nbody\n')
    failsWith(() => renderTemplate(dir, 'noblank', {}), /noblank\.txt needs an empty line/)
    write('typo', 'Subject: x\n\nDear {{ name },\n')
    failsWith(() => renderTemplate(dir, 'typo', { name: 'A' }), /typo\.txt has a malformed placeholder near "\{\{ name \},"/)
    failsWith(() => renderTemplate(dir, '../etc/passwd', {}), /name "\.\.\/etc\/passwd" is not valid/)
  })

  test('the templates Loom ships render with the fields their workflows give', () => {
    const common = { process_id: 'p', workflow: 'w', step: 's', subscription_id: 'sub', subscription_description: 'Circuit 10G a – b', customer_id: 'acme', customer_name: 'ACME', process_url: 'http://x/api/processes/p' }
    const extra: Record<string, Record<string, string>> = {
      create_circuit: { link_subnet_ipv4: '10.0.0.0/31', link_subnet_ipv6: '2001:db8::/127', mode: 'maintenance' },
      terminate_circuit: { released: '10.0.0.0/31, 2001:db8::/127' },
      // a custom workflow's notify.send: the common fields only
      process_notice: {},
    }
    const subject: Record<string, RegExp> = { create_circuit: /Circuit 10G a – b/, terminate_circuit: /Circuit 10G a – b/, process_notice: /^w: s$/ }
    const shipped = readdirSync(builtinTemplatesDir()).filter((f) => f.endsWith('.txt')).map((f) => f.replace(/\.txt$/, ''))
    assert.deepEqual(shipped.sort(), Object.keys(extra).sort())
    for (const name of shipped) assert.match(renderTemplate(builtinTemplatesDir(), name, { ...common, ...extra[name] }).subject, subject[name])
  })
})
