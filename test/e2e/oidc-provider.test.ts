// The test OpenID Connect provider (test/support/oidc-provider.ts) keeps the contract the gateway relies on: its
// tokens verify with jose against the jwks_uri of its discovery document for its issuer and the asked audience,
// carry the subject and the roles, are refused for another audience and once expired, and after a key rotation
// new tokens carry the new kid while tokens signed with the old key still verify.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { type OidcProviderHandle, startOidcProvider } from '../support/oidc-provider.js'

const AUDIENCE = 'loom-api'

/** the provider's jwks_uri, read from its discovery document as the gateway does */
async function jwksUriOf(issuer: string): Promise<URL> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string }
  assert.equal(discovery.issuer, issuer)
  return new URL(discovery.jwks_uri)
}

describe('test OIDC provider', () => {
  let idp: OidcProviderHandle
  let jwksUri: URL
  let jwks: JWTVerifyGetKey

  before(async () => {
    idp = await startOidcProvider({ audience: AUDIENCE })
    jwksUri = await jwksUriOf(idp.issuer)
    // No cooldown: after a rotation, an unknown kid refetches the set at once (jose waits 30 s by default).
    jwks = createRemoteJWKSet(jwksUri, { cooldownDuration: 0 })
  })
  after(() => idp.stop())

  it('issues a JWT that verifies for the issuer and audience, with the subject and the roles', async () => {
    const token = await idp.token({ subject: 'alice', roles: ['loom-operators', 'loom-viewers'] })
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: AUDIENCE })
    assert.equal(protectedHeader.alg, 'RS256')
    assert.equal(protectedHeader.typ, 'at+jwt')
    assert.equal(payload.iss, idp.issuer)
    assert.equal(payload.aud, AUDIENCE)
    assert.equal(payload.sub, 'alice')
    assert.deepEqual(payload.groups, ['loom-operators', 'loom-viewers'])
  })

  it('puts the subject and roles in the claims it is told to', async () => {
    const other = await startOidcProvider({ audience: AUDIENCE, userClaim: 'preferred_username', rolesClaim: 'roles' })
    try {
      const token = await other.token({ subject: 'bob', roles: ['loom-admins'] })
      const { payload } = await jwtVerify(token, createRemoteJWKSet(await jwksUriOf(other.issuer)), { issuer: other.issuer, audience: AUDIENCE })
      assert.equal(payload.preferred_username, 'bob')
      assert.equal(payload.sub, 'bob')
      assert.deepEqual(payload.roles, ['loom-admins'])
      assert.equal(payload.groups, undefined)
    } finally {
      await other.stop()
    }
  })

  it('issues a token for another audience that fails verification for ours', async () => {
    const token = await idp.token({ subject: 'alice', roles: ['loom-operators'], audience: 'some-other-api' })
    const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: 'some-other-api' })
    assert.equal(payload.aud, 'some-other-api')
    await assert.rejects(jwtVerify(token, jwks, { issuer: idp.issuer, audience: AUDIENCE }), (error) => {
      assert.ok(error instanceof errors.JWTClaimValidationFailed)
      assert.equal(error.claim, 'aud')
      return true
    })
  })

  it('issues a token that expires after the asked lifetime', async () => {
    const token = await idp.token({ subject: 'alice', expiresInSeconds: 1 })
    const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: AUDIENCE })
    assert.equal(payload.exp! - payload.iat!, 1)
    await sleep(2000)
    await assert.rejects(jwtVerify(token, jwks, { issuer: idp.issuer, audience: AUDIENCE }), errors.JWTExpired)
  })

  it('rotates its signing key and still publishes the old one', async () => {
    const oldToken = await idp.token({ subject: 'alice', roles: ['loom-viewers'] })
    const oldKid = decodeProtectedHeader(oldToken).kid
    await idp.rotateKeys()
    const published = (await (await fetch(jwksUri)).json()) as { keys: { kid: string; d?: string }[] }
    const newToken = await idp.token({ subject: 'alice', roles: ['loom-viewers'] })
    const newKid = decodeProtectedHeader(newToken).kid
    assert.ok(oldKid && newKid)
    assert.notEqual(newKid, oldKid)
    assert.deepEqual(
      published.keys.map((k) => k.kid),
      [newKid, oldKid],
    )
    assert.ok(published.keys.every((k) => k.d === undefined), 'only public keys are published')
    assert.equal((await jwtVerify(newToken, jwks, { issuer: idp.issuer, audience: AUDIENCE })).payload.sub, 'alice')
    assert.equal((await jwtVerify(oldToken, jwks, { issuer: idp.issuer, audience: AUDIENCE })).payload.sub, 'alice')
  })
})
