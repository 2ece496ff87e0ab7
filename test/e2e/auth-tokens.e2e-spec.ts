import { mkdtempSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { AppConfig } from '../../src/config/config';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../../src/auth/auth-settings';
import { APP_CONFIG } from '../../src/config/config.module';
import { HubKeyService } from '../../src/keys/hub-key.service';
import { startTestHub, TestHub } from '../support/test-hub';

const ME = '{ me { subject organisation roles team client } }';

jest.setTimeout(60_000);

describe('bearer tokens over HTTP', () => {
  let hub: TestHub;
  let record: jest.SpyInstance;
  let hubKey: HubKeyService;
  let kid: string;

  beforeAll(async () => {
    hub = await startTestHub({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-auth-')) });
    hubKey = hub.app.get(HubKeyService);
    kid = await hubKey.kid();
    record = jest.spyOn(hub.app.get(AuditRecorder), 'record');
  });
  afterAll(() => hub.stop());
  beforeEach(() => record.mockClear());

  const post = (query: string, authorization?: string) => {
    const req = request(hub.server).post('/graphql');
    if (authorization !== undefined) req.set('authorization', authorization);
    return req.send({ query });
  };

  const claims = () => ({ sub: 'attacker', org: 'council', roles: [Role.Admin] });
  const signWithHubKey = async (build: (jwt: SignJWT) => SignJWT, header: Record<string, unknown> = {}) => {
    const { key } = await hubKey.privateKey();
    return build(new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid, ...header })).sign(key);
  };
  const valid = (jwt: SignJWT) =>
    jwt.setIssuer(LOCAL_TOKEN_ISSUER).setAudience(LOCAL_TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('5m');
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('accepts a dev token and maps its claims to the principal', async () => {
    const token = await hub.app.get(DevTokenIssuer).issue({
      subject: 'nhs-client',
      organisation: 'nhs-trust',
      roles: [Role.PartnerAgency],
      client: 'nhs-client',
    });
    const res = await post(ME, `Bearer ${token}`).expect(200);
    expect(res.body.data.me).toEqual({
      subject: 'nhs-client',
      organisation: 'nhs-trust',
      roles: ['PARTNER_AGENCY'],
      team: null,
      client: 'nhs-client',
    });
    expect(record).not.toHaveBeenCalledWith(expect.objectContaining({ operation: 'auth.failure' }));
  });

  const attacks: [string, () => Promise<string | undefined>, string][] = [
    ['no token', async () => undefined, 'missing-token'],
    ['an empty header', async () => '', 'missing-token'],
    ['another scheme', async () => 'Basic YWRtaW46YWRtaW4=', 'malformed-header'],
    ['two tokens', async () => 'Bearer a.b.c d.e.f', 'malformed-header'],
    ['not a JWT', async () => 'Bearer not-a-token', 'malformed-token'],
    [
      'alg none',
      async () =>
        `Bearer ${b64({ alg: 'none', kid })}.${b64({ ...claims(), iss: LOCAL_TOKEN_ISSUER, aud: LOCAL_TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.`,
      'malformed-token',
    ],
    [
      'alg none with a junk signature',
      async () =>
        `Bearer ${b64({ alg: 'none', kid })}.${b64({ ...claims(), iss: LOCAL_TOKEN_ISSUER, aud: LOCAL_TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.AAAA`,
      'algorithm-not-allowed',
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(await hubKey.publicJwk()));
        return `Bearer ${await valid(new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid })).sign(secret)}`;
      },
      'algorithm-not-allowed',
    ],
    [
      'expired',
      async () =>
        `Bearer ${await signWithHubKey((j) => valid(j).setExpirationTime(Math.floor(Date.now() / 1000) - 120))}`,
      'expired',
    ],
    [
      'not yet valid',
      async () => `Bearer ${await signWithHubKey((j) => valid(j).setNotBefore(Math.floor(Date.now() / 1000) + 300))}`,
      'not-yet-valid',
    ],
    [
      'an unknown issuer',
      async () => `Bearer ${await signWithHubKey((j) => valid(j).setIssuer('https://evil.example'))}`,
      'unknown-issuer',
    ],
    [
      'wrong audience',
      async () => `Bearer ${await signWithHubKey((j) => valid(j).setAudience('another-api'))}`,
      'wrong-audience',
    ],
    [
      'no expiry',
      async () =>
        `Bearer ${await signWithHubKey((j) => j.setIssuer(LOCAL_TOKEN_ISSUER).setAudience(LOCAL_TOKEN_AUDIENCE))}`,
      'missing-claim',
    ],
    [
      'tampered payload',
      async () => {
        const token = await hub.app
          .get(DevTokenIssuer)
          .issue({ subject: 'cw', organisation: 'council', roles: [Role.Caseworker] });
        const [header, , signature] = token.split('.');
        const payload = {
          ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()),
          roles: ['admin', 'dpo'],
        };
        return `Bearer ${header}.${b64(payload)}.${signature}`;
      },
      'bad-signature',
    ],
    [
      'unknown kid',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return `Bearer ${await valid(new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'someone-elses-key' })).sign(privateKey)}`;
      },
      'unknown-kid',
    ],
    [
      "another key claiming the hub's kid",
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return `Bearer ${await valid(new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid })).sign(privateKey)}`;
      },
      'bad-signature',
    ],
    [
      'no kid',
      async () => {
        const { key } = await hubKey.privateKey();
        return `Bearer ${await valid(new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' })).sign(key)}`;
      },
      'missing-kid',
    ],
    [
      'an embedded public key (jwk header)',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('ES256');
        return `Bearer ${await valid(new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'x', jwk: await exportJWK(publicKey) })).sign(privateKey)}`;
      },
      'unknown-kid',
    ],
    [
      'no hub role',
      async () =>
        `Bearer ${await hub.app.get(DevTokenIssuer).issue({ subject: 'x', organisation: 'council', roles: ['sysadmin' as Role] })}`,
      'no-known-role',
    ],
  ];

  it.each(attacks)('refuses %s with 401 and records auth.failure', async (_name, token, reason) => {
    const res = await post(ME, await token()).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // One message whatever the cause, so the response does not help an attacker.
    expect(res.body.errors[0].message).toBe('Authentication required: send a valid bearer token');
    expect(res.body.data?.me ?? null).toBeNull();
    const failures = record.mock.calls.map(([event]) => event).filter((event) => event.operation === 'auth.failure');
    expect(failures).toEqual([
      expect.objectContaining({ decision: 'deny', reasons: [reason], requestId: expect.any(String) }),
    ]);
    expect(failures[0].actor).toBeUndefined();
  });

  it('audits a failed sign-in once per request even with several root fields', async () => {
    await post('{ me { subject } organisations { id } }', 'Bearer x.y.z').expect(401);
    expect(record.mock.calls.filter(([event]) => event.operation === 'auth.failure')).toHaveLength(1);
  });

  it('answers public hubInfo without a token, but refuses a bad token even there', async () => {
    await post('{ hubInfo { version } }').expect(200);
    const res = await post('{ hubInfo { version } }', 'Bearer x.y.z').expect(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('keeps health probes open', async () => {
    await request(hub.server).get('/health/live').expect(200);
  });

  it('answers 403-coded errors for a role the operation does not allow, and records the refusal', async () => {
    const token = await hub.app
      .get(DevTokenIssuer)
      .issue({ subject: 'cw', organisation: 'council', roles: [Role.Caseworker] });
    const res = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .send({ query: 'mutation { createOrganisation(id: "x-org", name: "X", kind: OTHER) { id } }' })
      .expect(200);
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({
        operation: 'access.role-check',
        decision: 'deny',
        actor: expect.objectContaining({ subject: 'cw' }),
      }),
    );
  });
});

describe("bearer tokens from the council's identity provider (AUTH_JWKS_URL)", () => {
  const issuer = 'https://idp.council.example';
  const audience = 'single-view-hub';
  let hub: TestHub;
  let idp: Server;
  let idpKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    idpKey = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-2025', alg: 'RS256', use: 'sig' }] };
    idp = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
    );
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const { port } = idp.address() as AddressInfo;
    hub = await startTestHub({
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-idp-')),
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
    });
  });
  afterAll(async () => {
    await hub.stop();
    await new Promise((resolve) => idp.close(resolve));
  });

  const idpToken = (claims: Record<string, unknown>, kid = 'idp-2025') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(idpKey);
  const me = (token: string) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .send({ query: '{ me { subject organisation roles } }' });

  it("accepts council staff from the council's provider, which needs no organisation claim", async () => {
    const res = await me(await idpToken({ sub: 'cw-1', roles: ['caseworker'] })).expect(200);
    expect(res.body.data.me).toEqual({ subject: 'cw-1', organisation: 'council', roles: ['CASEWORKER'] });
  });

  it("refuses the council's provider vouching for a partner organisation or role: partners register their own", async () => {
    await me(
      await idpToken({ sub: 'nhs-client', org: 'nhs-trust', roles: ['partner-agency'], client_id: 'nhs-client' }),
    ).expect(401);
    await me(await idpToken({ sub: 'nhs-client', roles: ['partner-agency'] })).expect(401);
  });

  it('no longer trusts or issues hub-signed dev tokens', async () => {
    expect(hub.app.get(DevTokenIssuer).enabled).toBe(false);
    await expect(
      hub.app.get(DevTokenIssuer).issue({ subject: 'x', organisation: 'council', roles: [Role.Admin] }),
    ).rejects.toThrow(/identity provider is configured/);
    const { key, kid } = await hub.app.get(HubKeyService).privateKey();
    const forged = await new SignJWT({ sub: 'x', org: 'council', roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(key);
    await me(forged).expect(401);
  });

  it('refuses HS256 signed with the provider public key, and an unknown kid', async () => {
    const { keys } = (hub.app.get(APP_CONFIG) as AppConfig).auth.issuers[0];
    const jwk = (await (await fetch((keys as { uri: string }).uri)).json()) as { keys: unknown[] };
    const secret = new TextEncoder().encode(JSON.stringify(jwk.keys[0]));
    const hs = await new SignJWT({ sub: 'x', org: 'council', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'idp-2025' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(secret);
    await me(hs).expect(401);
    await me(await idpToken({ sub: 'x', org: 'council', roles: ['admin'] }, 'rotated-away')).expect(401);
  });
});
