// Text that others typed, made safe to put into Markdown that the Temporal Web UI renders (a workflow's summary,
// details and current details). Pure and without Node imports: deterministic workflow code calls it too.

/**
 * Every ASCII punctuation character: CommonMark (§2.4) lets a backslash escape each of them and renders the
 * character alone, so escaping all of them is invisible once rendered — in cmark(-gfm), micromark/remark,
 * markdown-it and marked alike. Escaping the whole set, not only today's syntax (`*_[]()#!<>`…), also keeps the
 * value inert under extensions keyed on other punctuation: `$math$`, `==mark==`, `:emoji:`, `^sup^`, `@mention`,
 * and the Temporal Web UI's own `{workflowId}` / `{namespace}` placeholders, which it replaces before rendering.
 */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g

/**
 * Line breaks and other control characters (tabs, NUL, C1 controls, Unicode line/paragraph separators): as a
 * space, one per run, so that a value cannot end its line and start a block of its own (a heading, a list, a
 * quote, a table, a fenced code block, a link reference definition). HTML collapses whitespace anyway.
 */
const BREAKS = /[\p{Cc}\u2028\u2029]+/gu

/** U+2060 WORD JOINER: zero-width, no line break, no meaning in Markdown. */
const WORD_JOINER = '\u2060'

/**
 * Where a GFM renderer would turn bare text into a link: `http://…` / `https://…` (any `scheme:/`), `www.…` and
 * `user@host.tld`. A word joiner goes inside each: `https:⁠//`, `www⁠.`, `@⁠`.
 *
 * Backslash escapes alone do not stop every GFM renderer: remark-gfm (mdast-util-gfm-autolink-literal) finds
 * autolink literals with a regular expression over the parsed text, after `https\:\/\/` has already become
 * `https://` again. A character that is not part of a URL, between the pieces the pattern needs, stops it in every
 * implementation; the word joiner does so while rendering as nothing (a copied value keeps it: a defanged URL).
 */
const AUTOLINK_TRIGGERS = /(:)(?=\/)|(www)(?=\.)|(@)/gi

/**
 * `text` as Markdown that renders as exactly that text on one line: every ASCII punctuation character
 * backslash-escaped, line breaks as spaces, and bare URLs, `www.` names and e-mail addresses kept from becoming
 * links. For values a user supplied (names, ids, descriptions, error messages); fixed text with intended
 * formatting (`**bold**` step names) is written as Markdown directly.
 *
 *     escapeMarkdown('ams-pe1')            // 'ams\-pe1'  (renders: ams-pe1)
 *     escapeMarkdown('[x](http://e)')      // '\[x\]\(http\:⁠\/\/e\)'  (renders: [x](http://e), no link)
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(BREAKS, ' ')
    .replace(AUTOLINK_TRIGGERS, (found) => `${found}${WORD_JOINER}`)
    .replace(PUNCTUATION, (character) => `\\${character}`)
}
