// escapeMarkdown: a user's value in a Temporal summary or details renders as its own text, never as a link, an
// image, formatting or a block of its own. No Markdown renderer is a dependency, so the tests check what decides
// it: after escaping, no Markdown punctuation is left unescaped (so no construct can open), nothing breaks the
// line, and resolving the escapes — what every CommonMark renderer shows — gives the value back.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { escapeMarkdown } from './markdown.js'

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
const WORD_JOINER = '\u2060'

/** The text a CommonMark renderer shows for `markdown`, when every punctuation character in it is escaped (asserted). */
function rendered(markdown: string): string {
  let text = ''
  for (let i = 0; i < markdown.length; i++) {
    const c = markdown[i]
    if (c === '\\') {
      assert.ok(PUNCTUATION.includes(markdown[i + 1] ?? ''), `a backslash escapes punctuation in ${JSON.stringify(markdown)}`)
      text += markdown[++i]
    } else {
      assert.ok(!PUNCTUATION.includes(c), `${JSON.stringify(c)} is escaped at ${i} in ${JSON.stringify(markdown)}`)
      text += c
    }
  }
  return text
}

/**
 * The patterns by which GFM renderers link bare text, applied where the least careful of them applies them: to
 * the text after escapes are resolved (remark-gfm's mdast-util-gfm-autolink-literal does; cmark-gfm, markdown-it
 * and marked also stop at an escaped `:`, `.` or `@`).
 */
const AUTOLINK_LITERALS = [/(https?:\/\/|www(?=\.))([-.\w]+)([^ \t\r\n]*)/gi, /([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)/g, /(ftp|mailto|[a-z][a-z0-9+.-]*):\/\//gi]

function assertInert(value: string): string {
  const markdown = escapeMarkdown(value)
  assert.doesNotMatch(markdown, /[\r\n\u2028\u2029]/, 'one line')
  const text = rendered(markdown)
  for (const pattern of AUTOLINK_LITERALS) assert.doesNotMatch(text, pattern, `${JSON.stringify(text)} is no autolink`)
  // Nothing lost: the value's own characters, in order (line breaks as one space, word joiners added).
  assert.equal(text.replaceAll(WORD_JOINER, ''), value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' '))
  return markdown
}

describe('escapeMarkdown', () => {
  test('a link renders as its text', () => {
    assert.equal(assertInert('[x](http://e)'), `\\[x\\]\\(http\\:${WORD_JOINER}\\/\\/e\\)`)
  })

  test('an image renders as its text', () => {
    assert.equal(assertInert('![logo](https://evil.example/i.png "t")'), `\\!\\[logo\\]\\(https\\:${WORD_JOINER}\\/\\/evil\\.example\\/i\\.png \\"t\\"\\)`)
  })

  test('bare URLs, www names, e-mail addresses and <autolinks> are no links', () => {
    for (const value of ['https://evil.example', 'http://evil.example/path?q=1', 'ftp://evil.example', 'www.evil.example', 'WWW.EVIL.EXAMPLE', 'see https://evil.example/x', 'mailto:bob@evil.example', 'bob@evil.example', '<https://evil.example>', '<bob@evil.example>']) {
      assertInert(value)
    }
    assert.equal(escapeMarkdown('https://evil.example'), `https\\:${WORD_JOINER}\\/\\/evil\\.example`)
    assert.equal(escapeMarkdown('www.evil.example'), `www${WORD_JOINER}\\.evil\\.example`)
    assert.equal(escapeMarkdown('bob@evil.example'), `bob\\@${WORD_JOINER}evil\\.example`)
    assert.equal(escapeMarkdown('<https://e.example>'), `\\<https\\:${WORD_JOINER}\\/\\/e\\.example\\>`)
  })

  test('emphasis, code, strikethrough, HTML, tables and entities render as their text', () => {
    assert.equal(assertInert('**bold**'), '\\*\\*bold\\*\\*')
    assert.equal(assertInert('__bold__ _it_ `code` ~~gone~~'), '\\_\\_bold\\_\\_ \\_it\\_ \\`code\\` \\~\\~gone\\~\\~')
    assert.equal(assertInert('<img src=x onerror=alert(1)>'), '\\<img src\\=x onerror\\=alert\\(1\\)\\>')
    assert.equal(assertInert('a | b &amp; c'), 'a \\| b \\&amp\\; c')
  })

  test('a heading, list, quote or fence at the start stays text', () => {
    assert.equal(assertInert('# Owned'), '\\# Owned')
    for (const value of ['- item', '+ item', '1. item', '> quote', '```js', '=== ', '[x]: https://evil.example']) assertInert(value)
  })

  test('newlines cannot start a block of their own', () => {
    const markdown = assertInert('acme\n\n# Pwned\r\n![x](https://evil.example/x.png)\u2028[l]: https://evil.example\ttab')
    assert.equal(markdown.includes('\n'), false)
    assert.ok(markdown.startsWith('acme \\# Pwned \\!\\[x\\]'), markdown)
  })

  test("the Temporal Web UI's {workflowId} and {namespace} placeholders are not filled in", () => {
    assert.equal(assertInert('{workflowId}'), '\\{workflowId\\}')
    assert.equal(assertInert('{namespace}/{runId}'), '\\{namespace\\}\\/\\{runId\\}')
  })

  test('plain names render as themselves', () => {
    for (const value of ['ams-pe1', 'acme', 'Acme Corp', '10.0.0.1', '2001:db8::1/64', 'ge-0/0/1', 'core link to fra-pe1', 'Zürich 100G', '01936b2e-5c4a-7d21-9f3e-2b8c4d6e8a10', '']) {
      assert.equal(rendered(assertInert(value)), value, value)
    }
    assert.equal(escapeMarkdown('ams-pe1'), 'ams\\-pe1')
    assert.equal(escapeMarkdown('Acme Corp'), 'Acme Corp')
  })

  test('escaping twice escapes the backslashes: apply it once, to the value only', () => {
    assert.equal(escapeMarkdown(escapeMarkdown('a*b')), 'a\\\\\\*b')
  })
})
