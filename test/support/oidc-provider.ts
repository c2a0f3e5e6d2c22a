// A real OpenID Connect provider for tests (npm oidc-provider, in-process on a free 127.0.0.1 port). Tokens are
// JWT access tokens from its real token endpoint (client_credentials grant with a resource indicator), signed
// with RS256 keys it publishes at its jwks_uri, so the gateway verifies them exactly as it would a production
// IdP's. Every token() registers a client of its own, which carries that token's subject, roles, audience and
// lifetime: concurrent requests cannot see each other's. The token's `sub` is the subject (the client id would
// be there otherwise), and so is the `userClaim` claim when it is another; the roles are the `rolesClaim` claim.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK } from 'jose'

export interface OidcProviderHandle {
  /** http://127.0.0.1:PORT, exactly the tokens' `iss` */
  issuer: string
  /** a JWT access token obtained by a real HTTP request to the provider's token endpoint (client_credentials grant) */
  token(options: { subject: string; roles?: string[]; audience?: string; expiresInSeconds?: number }): Promise<string>
  /** replaces the signing key: new tokens are signed with a new key (new kid); the JWKS then lists the new key first and still the old one */
  rotateKeys(): Promise<void>
  stop(): Promise<void>
}

// oidc-provider ships no type declarations (and @types/oidc-provider is not installed): the little used here.
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
  on(event: string, listener: (ctx: unknown, error: unknown) => void): void
}
type ProviderClass = new (issuer: string, configuration: object) => ProviderInstance

// The package only warns that Node 20 is not a runtime it supports (it works on 20.19+, which can require ESM);
// the warning is printed once, while the module loads, so the load is done with console.warn silenced.
let loading: Promise<ProviderClass> | undefined
function loadProvider(): Promise<ProviderClass> {
  loading ??= (async () => {
    const specifier = 'oidc-provider' // a variable: an untyped package, imported without its (absent) types
    const warn = console.warn
    console.warn = () => {}
    try {
      return ((await import(specifier)) as { Provider: ProviderClass }).Provider
    } finally {
      console.warn = warn
    }
  })()
  return loading
}

async function signingKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }
}

interface Issued {
  subject: string
  roles: string[]
  ttl: number
  metadata: Record<string, unknown>
}

// Resource indicators must be absolute URIs, audiences need not be (e.g. loom-api): the audience is carried in one.
const RESOURCE_PREFIX = 'urn:loom-test:audience:'

export async function startOidcProvider(options: { audience: string; rolesClaim?: string; userClaim?: string }): Promise<OidcProviderHandle> {
  const rolesClaim = options.rolesClaim ?? 'groups'
  const userClaim = options.userClaim ?? 'sub'
  const Provider = await loadProvider()
  const clients = new Map<string, Issued>()
  const artifacts = new Map<string, unknown>()

  // The storage oidc-provider asks for (its own in-memory one warns on every start): clients come from `clients`,
  // anything else it keeps (nothing, for JWT client credentials) lives in `artifacts` for as long as the test.
  class Adapter {
    constructor(private readonly model: string) {}
    upsert(id: string, payload: unknown): Promise<void> {
      artifacts.set(`${this.model}:${id}`, payload)
      return Promise.resolve()
    }
    find(id: string): Promise<unknown> {
      return Promise.resolve(this.model === 'Client' ? clients.get(id)?.metadata : artifacts.get(`${this.model}:${id}`))
    }
    findByUid(): Promise<undefined> {
      return Promise.resolve(undefined)
    }
    findByUserCode(): Promise<undefined> {
      return Promise.resolve(undefined)
    }
    consume(): Promise<void> {
      return Promise.resolve()
    }
    destroy(id: string): Promise<void> {
      artifacts.delete(`${this.model}:${id}`)
      return Promise.resolve()
    }
    revokeByGrantId(): Promise<void> {
      return Promise.resolve()
    }
  }

  const issuedTo = (clientId: unknown): Issued => {
    const issued = clients.get(String(clientId))
    if (!issued) throw new Error(`no token was asked for client ${String(clientId)}`)
    return issued
  }

  const configure = (keys: JWK[]) => ({
    adapter: Adapter,
    jwks: { keys },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
          if (!resource.startsWith(RESOURCE_PREFIX)) throw new Error(`unknown resource ${resource}`)
          return {
            scope: '',
            audience: decodeURIComponent(resource.slice(RESOURCE_PREFIX.length)),
            accessTokenFormat: 'jwt',
            accessTokenTTL: issuedTo(client.clientId).ttl,
          }
        },
      },
    },
    ttl: { ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? 300 },
    extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => {
      const { subject, roles } = issuedTo(token.clientId)
      return { [rolesClaim]: roles, ...(userClaim === 'sub' ? {} : { [userClaim]: subject }) }
    },
    formats: {
      customizers: {
        // oidc-provider puts the client id in `sub` for client credentials (extraTokenClaims cannot override it).
        jwt: (_ctx: unknown, token: { clientId: string }, jwt: { payload: Record<string, unknown> }) => {
          jwt.payload.sub = issuedTo(token.clientId).subject
        },
      },
    },
  })

  const failures: unknown[] = []
  const build = (issuer: string, keys: JWK[]) => {
    const provider = new Provider(issuer, configure(keys))
    // Koa would print them; a test that gets a 500 finds the cause in its error message instead.
    provider.on('server_error', (_ctx, error) => failures.push(error))
    return provider.callback()
  }

  // One listening socket for the whole life of the handle: rotation swaps the provider behind it, so the issuer
  // (and the port in it) never changes and no other process can take the port in between.
  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
  const server = createServer((req, res) => void handle?.(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let keys = [await signingKey()]
  handle = build(issuer, keys)

  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }
  let issuedCount = 0

  return {
    issuer,
    async token({ subject, roles = [], audience = options.audience, expiresInSeconds = 300 }) {
      const clientId = `loom-test-${++issuedCount}`
      const secret = randomBytes(16).toString('hex')
      clients.set(clientId, {
        subject,
        roles,
        ttl: expiresInSeconds,
        metadata: { client_id: clientId, client_secret: secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      })
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${RESOURCE_PREFIX}${encodeURIComponent(audience)}` }),
      })
      const body = (await response.json()) as { access_token?: string }
      if (!response.ok || !body.access_token)
        throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}${failures.length ? ` (${String(failures.at(-1))})` : ''}`)
      return body.access_token
    },
    async rotateKeys() {
      // oidc-provider signs with the first key that fits; the old one stays published for tokens already issued.
      keys = [await signingKey(), ...keys]
      handle = build(issuer, keys)
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections() // a JWKS client's keep-alive connection would hold close() open
      }),
  }
}
