// A ticket system for tests that keeps the webhook contract of docs/oss-bss.md as a real one would: it checks
// X-Loom-Signature against the shared secret (401 otherwise), answers a repeated X-Loom-Delivery as it did the
// first time without doing anything again, opens tickets CHG-1, CHG-2, … and refuses a summary containing
// "reject" with 422. It can answer the next deliveries with 503, as a system that is briefly down. Deliveries of
// the notification webhook (path /notify) are kept too.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Delivery {
  path: string
  delivery_id: string
  signature_ok: boolean
  body: Record<string, unknown>
  /** what it was answered */
  status: number
}

export interface Ticket {
  id: string
  events: Record<string, unknown>[]
}

export interface TicketSystem {
  /** the ticket webhook's URL */
  url: string
  /** the notification webhook's URL */
  notifyUrl: string
  deliveries: Delivery[]
  tickets: Map<string, Ticket>
  failNext(n: number): void
  close(): Promise<void>
}

export async function startTicketSystem(secret: string): Promise<TicketSystem> {
  const deliveries: Delivery[] = []
  const tickets = new Map<string, Ticket>()
  const answered = new Map<string, { status: number; body: unknown }>()
  let failures = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`)
      const given = Buffer.from(String(req.headers['x-loom-signature'] ?? ''))
      const signature_ok = given.length === expected.length && timingSafeEqual(given, expected)
      const delivery_id = String(req.headers['x-loom-delivery'] ?? '')
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
      const answer = (status: number, json: unknown) => {
        deliveries.push({ path: req.url ?? '', delivery_id, signature_ok, body, status })
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json))
      }
      if (!signature_ok) return answer(401, { error: 'bad signature' })
      if (failures > 0) {
        failures--
        return answer(503, { error: 'down for a moment' })
      }
      const earlier = answered.get(`${req.url} ${delivery_id}`)
      if (earlier) return answer(earlier.status, earlier.body)
      const settle = (status: number, json: unknown) => {
        answered.set(`${req.url} ${delivery_id}`, { status, body: json })
        answer(status, json)
      }
      if (req.url === '/notify') return settle(202, {})
      if (String(body.summary).includes('reject')) return settle(422, { error: 'summary refused by the change policy' })
      if (body.event === 'open') {
        const id = `CHG-${tickets.size + 1}`
        tickets.set(id, { id, events: [body] })
        return settle(201, { ticket_id: id })
      }
      const ticket = tickets.get(String(body.ticket_id))
      if (!ticket) return settle(404, { error: `no ticket ${String(body.ticket_id)}` })
      ticket.events.push(body)
      settle(200, { ticket_id: ticket.id })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: `${base}/tickets`,
    notifyUrl: `${base}/notify`,
    deliveries,
    tickets,
    failNext: (n) => (failures = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
