// Self-test of the OIDC test harness (test/support/oidc-test-provider.ts); no database involved.
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { readFile, stat } from 'node:fs/promises';
import { Agent, fetch } from 'undici';
import { joseFetchThrough, startOidcTestProvider, type OidcTestProvider } from '../support/oidc-test-provider';

const AUDIENCE = 'api://single-view-hub';

describe('OIDC test provider', () => {
  let oidc: OidcTestProvider;
  let agent: Agent;

  beforeAll(async () => {
    oidc = await startOidcTestProvider({
      audience: AUDIENCE,
      accessTokenTtlSeconds: 300,
      clients: [
        { clientId: 'hub-web', clientSecret: 'web-secret' },
        {
          clientId: 'case-system',
          clientSecret: 'case-secret',
          extraClaims: { roles: ['Records.Read'], tid: 'tenant-1', azp: 'case-system' },
        },
      ],
      accounts: {
        alice: { realm_access: { roles: ['caseworker'] }, preferred_username: 'alice' },
        bob: { roles: ['Supervisor'], tid: 'tenant-1', oid: '00000000-0000-0000-0000-00000000000b' },
      },
    });
    // What a client of the provider does: trust the certificate through its own undici Agent.
    agent = new Agent({ connect: { ca: oidc.caPem } });
  });

  afterAll(async () => {
    await agent?.close();
    await oidc?.stop();
  });

  /** A fresh remote key set (no cache shared between assertions), fetched through the trusting agent. */
  function keySet() {
    return createRemoteJWKSet(new URL(oidc.jwksUri), {
      [customFetch]: joseFetchThrough(agent),
    });
  }

  async function verify(token: string): Promise<JWTPayload> {
    const { payload, protectedHeader } = await jwtVerify(token, keySet(), {
      issuer: oidc.issuer,
      audience: AUDIENCE,
      typ: 'at+jwt',
    });
    expect(protectedHeader.kid).toBe(oidc.signingKid);
    return payload;
  }

  async function jwksKids(): Promise<string[]> {
    const response = await fetch(oidc.jwksUri, { dispatcher: agent });
    const { keys } = (await response.json()) as { keys: { kid: string }[] };
    return keys.map((key) => key.kid);
  }

  it('serves discovery over HTTPS on loopback with the certificate in caFile', async () => {
    expect(oidc.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await readFile(oidc.caFile, 'utf8')).toBe(oidc.caPem);
    expect((await stat(oidc.caFile)).mode & 0o444).toBe(0o444);
    const response = await fetch(oidc.discoveryUri, { dispatcher: agent });
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: oidc.issuer,
      jwks_uri: oidc.jwksUri,
      token_endpoint: oidc.tokenEndpoint,
    });
    await expect(fetch(oidc.discoveryUri)).rejects.toThrow();
  });

  it('issues client credentials JWTs for the audience with the client extra claims', async () => {
    const token = await oidc.clientCredentialsToken('case-system');
    const payload = await verify(token);
    expect(payload).toMatchObject({
      iss: oidc.issuer,
      aud: AUDIENCE,
      sub: 'case-system',
      client_id: 'case-system',
      roles: ['Records.Read'],
      tid: 'tenant-1',
      azp: 'case-system',
    });
    expect(payload.exp! - payload.iat!).toBe(300);

    const scoped = await verify(
      await oidc.clientCredentialsToken('hub-web', { scope: 'api', resource: oidc.resource }),
    );
    expect(scoped).toMatchObject({ sub: 'hub-web', scope: 'api', aud: AUDIENCE });
    expect(scoped.roles).toBeUndefined();

    await expect(oidc.clientCredentialsToken('case-system', { clientSecret: 'wrong' })).rejects.toThrow(
      /invalid_client/,
    );
  });

  it('runs authorization code + PKCE for an account and puts its claims in the access token', async () => {
    const alice = await oidc.authorizationCodeTokens('alice');
    const payload = await verify(alice.accessToken);
    expect(payload).toMatchObject({
      iss: oidc.issuer,
      aud: AUDIENCE,
      sub: 'alice',
      client_id: 'hub-web',
      scope: 'api',
      realm_access: { roles: ['caseworker'] },
      preferred_username: 'alice',
    });
    const { payload: idToken } = await jwtVerify(alice.idToken, keySet(), { issuer: oidc.issuer, audience: 'hub-web' });
    expect(idToken.sub).toBe('alice');
    expect(typeof idToken.nonce).toBe('string');

    const bob = await verify((await oidc.authorizationCodeTokens('bob', { clientId: 'case-system' })).accessToken);
    expect(bob).toMatchObject({ sub: 'bob', client_id: 'case-system', roles: ['Supervisor'], tid: 'tenant-1' });
    expect(bob.realm_access).toBeUndefined();

    await expect(oidc.authorizationCodeTokens('mallory')).rejects.toThrow(/access_denied/);
  });

  it('rotates the signing key on the same server: new kid, old kid gone from the JWKS', async () => {
    const before = await oidc.clientCredentialsToken('case-system');
    const oldKid = decodeProtectedHeader(before).kid!;
    const issuer = oidc.issuer;

    const newKid = await oidc.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    expect(oidc.issuer).toBe(issuer);
    expect(await jwksKids()).toEqual([newKid]);

    const after = await oidc.clientCredentialsToken('case-system');
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    await verify(after);
    await expect(jwtVerify(before, keySet())).rejects.toThrow(/no applicable key/i);

    const person = await oidc.authorizationCodeTokens('alice');
    expect(decodeProtectedHeader(person.accessToken).kid).toBe(newKid);
    expect(decodeProtectedHeader(person.idToken).kid).toBe(newKid);
  });

  it('publishes the next key before signing with it', async () => {
    const current = oidc.signingKid;
    const nextKid = await oidc.publishNextKey();
    expect(await jwksKids()).toEqual([current, nextKid]);
    expect(decodeProtectedHeader(await oidc.clientCredentialsToken('case-system')).kid).toBe(current);
    const issuedBeforeSwitch = (await oidc.authorizationCodeTokens('alice')).idToken;
    expect(decodeProtectedHeader(issuedBeforeSwitch).kid).toBe(current);

    await oidc.switchToNextKey();
    await expect(jwtVerify(issuedBeforeSwitch, keySet(), { issuer: oidc.issuer })).resolves.toBeDefined();
    expect(oidc.signingKid).toBe(nextKid);
    const token = await oidc.clientCredentialsToken('case-system');
    expect(decodeProtectedHeader(token).kid).toBe(nextKid);
    await verify(token);
    expect((await jwksKids()).sort()).toEqual([current, nextKid].sort());

    await oidc.retirePreviousKeys();
    expect(await jwksKids()).toEqual([nextKid]);
    expect(oidc.publishedKids()).toEqual([nextKid]);
    expect(oidc.serverErrors).toEqual([]);
  });

  it('supports ES256 and an audience that is not a URI (Keycloak-style `aud`)', async () => {
    const keycloak = await startOidcTestProvider({
      audience: 'single-view-hub',
      signingAlg: 'ES256',
      clients: [{ clientId: 'svc', clientSecret: 'svc-secret', extraClaims: { azp: 'svc' } }],
      accounts: { carol: { realm_access: { roles: ['auditor'] } } },
    });
    try {
      expect(keycloak.resource).toBe('urn:oidc-test-provider:resource:single-view-hub');
      const jwks = createRemoteJWKSet(new URL(keycloak.jwksUri), { [customFetch]: keycloak.joseFetch });
      const service = await jwtVerify(await keycloak.clientCredentialsToken('svc'), jwks, {
        issuer: keycloak.issuer,
        audience: 'single-view-hub',
        algorithms: ['ES256'],
      });
      expect(service.payload).toMatchObject({ sub: 'svc', azp: 'svc' });
      const person = await keycloak.authorizationCodeTokens('carol');
      const { payload } = await jwtVerify(person.accessToken, jwks, { audience: 'single-view-hub' });
      expect(payload).toMatchObject({ sub: 'carol', realm_access: { roles: ['auditor'] } });
      expect(decodeProtectedHeader(person.idToken).alg).toBe('ES256');
    } finally {
      await keycloak.stop();
    }
  });
});
