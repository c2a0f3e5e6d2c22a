// An SSH server on loopback (ssh2's Server) standing in for a router: tests of the SSH sessions and of the
// device steps that must not reach a real one. It records the authentication methods clients try and the
// commands they run; what a command answers is up to the test.
import { type ParsedKey, Server, utils } from 'ssh2'

export interface CommandAnswer {
  stdout?: string
  code?: number
  /** answer after this many milliseconds */
  delayMs?: number
}

export interface TestSshServer {
  port: number
  /** the authentication methods clients tried, in order */
  auth: string[]
  commands: string[]
  /** connections that ended */
  closed: number
  close(): Promise<void>
}

export interface TestSshServerOptions {
  /** the server's host key (sshKeyPair) */
  hostKey: { private: string }
  /** the public key a client may log in with */
  loginKey?: string
  /** the password a client may log in with */
  password?: string
  /** by default `sleep N` answers after N milliseconds and every command prints `ran <command>` */
  answer?: (command: string) => CommandAnswer
}

/**
 * An ed25519 key pair in OpenSSH format that ssh2 can read back. ssh2's own generateKeyPairSync strips leading zero
 * bytes of the public key, so about 1 pair in 256 does not parse (mscdex/ssh2#1390, #1513): those are made again.
 */
export function sshKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519')
    if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error)) return pair
  }
}

const defaultAnswer = (command: string): CommandAnswer => ({ stdout: `ran ${command}\n`, delayMs: Number(/^sleep (\d+)$/.exec(command)?.[1] ?? 0) })

export async function startSshServer(options: TestSshServerOptions): Promise<TestSshServer> {
  const state = { auth: [] as string[], commands: [] as string[], closed: 0 }
  const loginKey = options.loginKey ? (utils.parseKey(options.loginKey) as ParsedKey) : undefined
  const answer = options.answer ?? defaultAnswer
  const server = new Server({ hostKeys: [options.hostKey.private] }, (client) => {
    client.on('error', () => undefined) // clients that go away mid-way
    client.on('close', () => state.closed++)
    client.on('authentication', (ctx) => {
      state.auth.push(ctx.method)
      if (ctx.method === 'publickey' && loginKey && ctx.key.data.equals(loginKey.getPublicSSH())) {
        if (!ctx.signature) return ctx.accept()
        return loginKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject()
      }
      if (ctx.method === 'password' && options.password !== undefined && ctx.password === options.password) return ctx.accept()
      ctx.reject(['publickey', 'password'])
    })
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (accept, _reject, info) => {
          state.commands.push(info.command)
          const stream = accept()
          const { stdout = '', code = 0, delayMs = 0 } = answer(info.command)
          const reply = () => {
            if (stream.destroyed) return // the client went away meanwhile
            stream.write(stdout)
            stream.exit(code)
            stream.end()
          }
          if (delayMs > 0) setTimeout(reply, delayMs)
          else reply()
        }),
      ),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return Object.assign(state, { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) })
}
