// A real SMTP server for tests (npm smtp-server): it requires a login when given one, parses every message it is given
// (mailparser) and can answer the next DATA commands with a temporary failure (451), as a busy relay does.
import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  /** the Message-ID header, with its angle brackets */
  message_id: string
  from: string
  /** the envelope's recipients (RCPT TO) */
  to: string[]
  subject: string
  text: string
  headers: Record<string, string>
  /** false: the server answered 451 to it */
  accepted: boolean
}

export interface MailServer {
  url: string
  received: ReceivedMail[]
  /** accepted messages only */
  delivered(): ReceivedMail[]
  /** answer the next `n` messages with 451 (try again later) */
  refuseNext(n: number): void
  close(): Promise<void>
}

export async function startMailServer(login?: { username: string; password: string }): Promise<MailServer> {
  const received: ReceivedMail[] = []
  let refusals = 0
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: !login,
    onAuth(auth, _session, callback) {
      if (login && auth.username === login.username && auth.password === login.password) callback(null, { user: auth.username })
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const accepted = refusals === 0
          if (!accepted) refusals--
          const headers = Object.fromEntries([...mail.headers].map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
          received.push({
            message_id: mail.messageId ?? '',
            from: mail.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            headers,
            accepted,
          })
          callback(accepted ? null : Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }))
        },
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    delivered: () => received.filter((m) => m.accepted),
    refuseNext: (n) => (refusals = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
