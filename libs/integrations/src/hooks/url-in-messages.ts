/**
 * How a configured URL is named in errors, logs and API answers: its origin only. Webhook URLs often carry their
 * token in the path or the query (Slack-style), and an error message reaches workflow history and API callers.
 */
export function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return '(an invalid URL)'
  }
}
