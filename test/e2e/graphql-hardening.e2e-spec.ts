import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { PERSISTED_QUERY_NOT_ALLOWED, sha256 } from '../../src/graphql/persisted-queries';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

const version = 'query Version { hubInfo { version } }';
const database = '{ hubInfo { database } }';
const anyPerson = '9f0c6d1e-0000-4000-8000-000000000000';
/** A query 20 levels deep whose root field, if it ran, would write an audit event. */
const deep = `{ checkEligibility(personId: "${anyPerson}", check: FREE_SCHOOL_MEALS) { ${'gaps { '.repeat(19)}source${' }'.repeat(19)} } }`;

function allowListFile(clients: Record<string, string[]>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hub-pq-')), 'persisted-queries.json');
  writeFileSync(file, JSON.stringify({ clients }));
  return file;
}

const auditCount = (hub: TestHub, operation?: string): Promise<number> =>
  hub.db.dataSource
    .query(`select count(*)::int as n from audit_event where $1::text is null or operation = $1`, [operation ?? null])
    .then((rows: { n: number }[]) => rows[0].n);

describe('persisted-query allow-list per partner client', () => {
  let hub: TestHub;
  let listed: string;
  let unlisted: string;
  let locked: string;

  beforeAll(async () => {
    const file = allowListFile({
      'school-mis': [version, `sha256:${sha256(database.replace('database', 'version database'))}`],
      'locked-client': [],
    });
    hub = await startTestHub({
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-pq-data-')),
      GRAPHQL_PERSISTED_QUERIES: file,
    });
    const issuer = hub.app.get(DevTokenIssuer);
    listed = await issuer.issue({
      subject: 'client-school',
      organisation: 'school',
      roles: [Role.PartnerAgency],
      client: 'school-mis',
    });
    unlisted = await issuer.issue({
      subject: 'client-nhs',
      organisation: 'nhs-trust',
      roles: [Role.PartnerAgency],
      client: 'nhs-gateway',
    });
    locked = await issuer.issue({
      subject: 'client-locked',
      organisation: 'police',
      roles: [Role.PartnerAgency],
      client: 'locked-client',
    });
  });
  afterAll(() => hub?.stop());

  const post = (body: object, token?: string) => {
    const req = request(hub.server).post('/graphql');
    if (token) req.set('authorization', `Bearer ${token}`);
    return req.send(body);
  };

  it('runs a listed operation, however it is laid out, and one listed by hash', async () => {
    const res = await post({ query: version }, listed).expect(200);
    expect(res.body).toEqual({ data: { hubInfo: { version: expect.any(String) } } });
    const relaid = await post(
      { query: `# the MIS's copy\nquery Version {\n  hubInfo {\n    version\n  }\n}` },
      listed,
    ).expect(200);
    expect(relaid.body.errors).toBeUndefined();
    const byHash = await post({ query: '{ hubInfo { version database } }' }, listed).expect(200);
    expect(byHash.body.data.hubInfo.database).toBe('external');
  });

  it('refuses any other operation before execution, with a clear code and the request id', async () => {
    const res = await post({ query: database }, listed).set('x-request-id', 'pq-1').expect(403);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([
      {
        message: expect.stringMatching(/only the operations registered for it/),
        extensions: { code: PERSISTED_QUERY_NOT_ALLOWED, requestId: 'pq-1' },
      },
    ]);
    const locked403 = await post({ query: version }, locked).expect(403);
    expect(locked403.body.errors[0].extensions.code).toBe(PERSISTED_QUERY_NOT_ALLOWED);
  });

  it('serves a listed document from its hash alone (Apollo persisted-query format)', async () => {
    const res = await post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(version) } } },
      listed,
    ).expect(200);
    expect(res.body.data.hubInfo.version).toEqual(expect.any(String));
  });

  it('cannot be bypassed by a hash another client registered', async () => {
    const registered = await post(
      { query: database, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(database) } } },
      unlisted,
    ).expect(200);
    expect(registered.body.data.hubInfo.database).toBe('external');
    const res = await post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(database) } } },
      listed,
    ).expect(403);
    expect(res.body.errors[0].extensions.code).toBe(PERSISTED_QUERY_NOT_ALLOWED);
  });

  it('leaves clients without a list, and anonymous public calls, unaffected', async () => {
    expect((await post({ query: database }, unlisted).expect(200)).body.data.hubInfo.database).toBe('external');
    expect((await post({ query: database }).expect(200)).body.data.hubInfo.database).toBe('external');
  });

  it('outside production, validation errors do suggest fields (what production turns off)', async () => {
    const res = await post({ query: '{ hubInfo { versio } }' }).expect(400);
    expect(res.body.errors[0].message).toMatch(/did you mean "version"/i);
  });

  it('never lets an unverified token choose a list: a forged or altered token is refused outright', async () => {
    const [header, payload] = listed.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, azp: 'nhs-gateway' })).toString('base64url')}.${listed.split('.')[2]}`;
    for (const token of [altered, 'not-a-token']) {
      const res = await post({ query: '{ __typename }' }, token).expect(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('production hardening (NODE_ENV=production)', () => {
  let hub: TestHub;
  let admin: string;
  let school: string;

  beforeAll(async () => {
    // Production issues no dev tokens: the council's and a partner's providers are registered with their keys,
    // as in a real deployment (here one key file serves both, to keep the fixture small).
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const dir = mkdtempSync(join(tmpdir(), 'hub-prod-'));
    writeFileSync(
      join(dir, 'jwks.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'test-idp', alg: 'ES256', use: 'sig' }] }),
    );
    writeFileSync(
      join(dir, 'issuers.json'),
      JSON.stringify([
        {
          issuer: 'https://idp.council.example',
          jwksFile: 'jwks.json',
          audience: 'hub',
          organisations: ['council'],
          roles: ['admin'],
        },
        {
          issuer: 'https://idp.school.example',
          jwksFile: 'jwks.json',
          audience: 'hub',
          organisations: ['school'],
          roles: ['partner-agency'],
        },
      ]),
    );
    hub = await startTestHub({
      NODE_ENV: 'production',
      HUB_DATA_DIR: dir,
      SANDBOX_SOURCES: 'off',
      SYNC_ON_START: 'false',
      SYNC_SCHEDULE: 'off',
      AUTH_ISSUERS_FILE: join(dir, 'issuers.json'),
      GRAPHQL_PERSISTED_QUERIES: allowListFile({ 'school-mis': [version] }),
    });
    const sign = (issuer: string, claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-idp' })
        .setIssuer(issuer)
        .setAudience('hub')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    admin = await sign('https://idp.council.example', { sub: 'admin-ash', org: 'council', roles: ['admin'] });
    school = await sign('https://idp.school.example', {
      sub: 'client-school',
      org: 'school',
      roles: ['partner-agency'],
      azp: 'school-mis',
    });
  });
  afterAll(() => hub?.stop());

  const post = (query: string, token?: string) => {
    const req = request(hub.server).post('/graphql');
    if (token) req.set('authorization', `Bearer ${token}`);
    return req.send({ query });
  };

  it('refuses introspection', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { fields { name } } }']) {
      const res = await post(query, admin).expect(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/introspection is not allowed/i);
    }
  });

  it('gives no field suggestions in validation errors', async () => {
    const res = await post('{ hubInfo { versio } agreement(id: "x") { titl } }', admin).expect(400);
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const error of res.body.errors) {
      expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).not.toMatch(/did you mean/i);
      expect(error.message).not.toMatch(/version|title/);
    }
  });

  it('masks an unexpected error to its code and the request id', async () => {
    // A real internal failure: the agreements table goes missing under the running hub.
    await hub.db.dataSource.query('alter table data_sharing_agreement rename to data_sharing_agreement_away');
    try {
      const res = await post('{ agreements { id } }', admin).set('x-request-id', 'masked-1').expect(200);
      expect(res.body.errors).toEqual([
        {
          message: 'Internal server error',
          path: ['agreements'],
          locations: expect.any(Array),
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masked-1' },
        },
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/relation|data_sharing|select|stack/i);
    } finally {
      await hub.db.dataSource.query('alter table data_sharing_agreement_away rename to data_sharing_agreement');
    }
  });

  it('sends security headers on the API', async () => {
    const res = await post('{ hubInfo { version } }');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // Answers carry personal data: no cache may keep one, refused ones included.
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await post('{ hubInfo { version ')).headers['cache-control']).toBe('no-store');
  });

  it('refuses a query 20 levels deep before anything runs', async () => {
    // Had the root field run, the guard or the eligibility policy would have written an event.
    const before = await auditCount(hub);
    const res = await post(deep, admin).expect(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/depth/i)]),
    );
    expect(
      res.body.errors.every((e: { extensions: { code: string } }) => e.extensions.code === 'GRAPHQL_VALIDATION_FAILED'),
    ).toBe(true);
    expect(await auditCount(hub)).toBe(before);
  });

  it('keeps the allow-list refusal readable through production masking', async () => {
    expect((await post(version, school).expect(200)).body.data.hubInfo.version).toEqual(expect.any(String));
    const res = await post(database, school).expect(403);
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/registered/),
      extensions: { code: PERSISTED_QUERY_NOT_ALLOWED },
    });
  });
});
