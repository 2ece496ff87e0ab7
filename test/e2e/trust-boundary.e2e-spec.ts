import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { Principal, Role } from '../../src/engine/principal';
import { startOidcTestProvider, type OidcTestProvider } from '../support/oidc-test-provider';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

const AUDIENCE = 'api://single-view-hub';
const COUNCIL_TENANT = '3f2b8c1e-0000-4000-8000-000000000001';
const ME = '{ me { subject organisation roles team client } }';

/**
 * The trust boundary against real OpenID Connect providers (oidc-provider over HTTPS on loopback): the
 * council's provider is Entra-shaped (app roles, `tid`, `oid`) and signs people in by authorization code;
 * the NHS trust's is Keycloak-shaped (`realm_access.roles`) and issues client-credentials tokens to its
 * machine clients. Each vouches only for what its registry entry lists.
 */
describe('trust boundary: several identity providers, each held to its entry', () => {
  let council: OidcTestProvider;
  let nhs: OidcTestProvider;
  let hub: TestHub;

  beforeAll(async () => {
    council = await startOidcTestProvider({
      audience: AUDIENCE,
      clients: [{ clientId: 'hub-console', clientSecret: 'console-secret' }],
      accounts: {
        'am-amira': { oid: 'oid-amira', tid: COUNCIL_TENANT, roles: ['Hub.AccountManager'], team: 'early-help-north' },
        'dpo-dev': { oid: 'oid-dev', tid: COUNCIL_TENANT, roles: ['Hub.Dpo'] },
        'guest-from-elsewhere': { oid: 'oid-guest', tid: 'another-tenant', roles: ['Hub.Dpo'] },
      },
    });
    nhs = await startOidcTestProvider({
      audience: AUDIENCE,
      signingAlg: 'ES256',
      clients: [
        {
          clientId: 'nhs-safeguarding',
          clientSecret: 's1',
          extraClaims: { realm_access: { roles: ['hub-partner', 'offline_access'] } },
        },
        // A dishonest client of an honest provider: claims the council and its roles.
        {
          clientId: 'nhs-rogue',
          clientSecret: 's2',
          extraClaims: { org: 'council', realm_access: { roles: ['hub-partner'] } },
        },
        {
          clientId: 'nhs-escalator',
          clientSecret: 's3',
          extraClaims: { realm_access: { roles: ['hub-partner', 'admin', 'dpo'] } },
        },
        {
          clientId: 'nhs-team-squatter',
          clientSecret: 's4',
          extraClaims: { team: 'early-help-north', realm_access: { roles: ['hub-partner'] } },
        },
      ],
      accounts: {},
    });
    const dir = mkdtempSync(join(tmpdir(), 'hub-trust-'));
    writeFileSync(
      join(dir, 'issuers.json'),
      JSON.stringify({
        issuers: [
          {
            issuer: council.issuer,
            jwksUri: council.jwksUri,
            caFile: council.caFile,
            audience: AUDIENCE,
            organisations: ['council'],
            roles: ['account-manager', 'caseworker', 'dpo', 'data-steward', 'admin'],
            claims: {
              subject: 'oid',
              organisation: { path: 'tid', values: { [COUNCIL_TENANT]: 'council' } },
              roles: { path: 'roles', values: { 'Hub.AccountManager': 'account-manager', 'Hub.Dpo': 'dpo' } },
            },
            maxTokenLifetimeSeconds: 3600,
          },
          {
            issuer: nhs.issuer,
            jwksUri: nhs.jwksUri,
            caFile: nhs.caFile,
            audience: AUDIENCE,
            organisations: ['nhs-trust'],
            roles: ['partner-agency'],
            claims: {
              roles: {
                path: 'realm_access.roles',
                values: { 'hub-partner': 'partner-agency', admin: 'admin', dpo: 'dpo' },
              },
              client: 'client_id',
            },
          },
        ],
      }),
    );
    hub = await startTestHub({
      HUB_DATA_DIR: dir,
      AUTH_ISSUERS_FILE: join(dir, 'issuers.json'),
      AUTH_KEY_SET_REFETCH_SECONDS: '1',
      SANDBOX_SOURCES: 'off',
      SYNC_ON_START: 'false',
      SYNC_SCHEDULE: 'off',
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await council?.stop();
    await nhs?.stop();
  });

  const post = (query: string, token?: string) => {
    const req = request(hub.server).post('/graphql');
    if (token) req.set('authorization', `Bearer ${token}`);
    return req.send({ query });
  };
  const failuresSince = async (seq: number) =>
    (await hub.db.dataSource.query(
      `select reasons, detail from audit_event where operation = 'auth.failure' and seq > $1 order by seq`,
      [seq],
    )) as {
      reasons: string[];
      detail: Record<string, unknown>;
    }[];
  const head = async () => Number((await hub.db.dataSource.query('select seq from audit_chain_head'))[0].seq);

  it("signs a council account manager in through the council's provider (authorization code, Entra-shaped claims)", async () => {
    const { accessToken } = await council.authorizationCodeTokens('am-amira');
    const res = await post(ME, accessToken).expect(200);
    expect(res.body.data.me).toEqual({
      subject: 'oid-amira',
      organisation: 'council',
      roles: ['ACCOUNT_MANAGER'],
      team: 'early-help-north',
      client: 'hub-console',
    });
  });

  it("accepts a partner's machine client from the partner's own provider (client credentials, Keycloak-shaped claims)", async () => {
    const token = await nhs.clientCredentialsToken('nhs-safeguarding');
    const res = await post(ME, token).expect(200);
    expect(res.body.data.me).toEqual({
      subject: 'nhs-safeguarding',
      organisation: 'nhs-trust',
      roles: ['PARTNER_AGENCY'],
      team: null,
      client: 'nhs-safeguarding',
    });
  });

  it.each([
    ['the council as its organisation', 'nhs-rogue', 'organisation-not-allowed', { claimedOrganisation: 'council' }],
    ['admin and dpo roles', 'nhs-escalator', 'role-not-allowed', { claimedRoles: ['admin', 'dpo'] }],
  ])(
    'refuses a partner client claiming %s, and audits it with issuer and key id',
    async (_name, client, reason, claimed) => {
      const before = await head();
      const token = await nhs.clientCredentialsToken(client);
      const res = await post(ME, token).expect(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      const failures = await failuresSince(before);
      expect(failures).toEqual([
        {
          reasons: [reason],
          detail: expect.objectContaining({
            issuer: nhs.issuer,
            keyId: decodeProtectedHeader(token).kid,
            tokenPresented: true,
            ...claimed,
          }),
        },
      ]);
    },
  );

  it("refuses a token from the council's provider for another tenant", async () => {
    const { accessToken } = await council.authorizationCodeTokens('guest-from-elsewhere');
    await post(ME, accessToken).expect(401);
  });

  it("a partner token naming a council team's name holds none of its cases: assignments belong to a team of an organisation", async () => {
    const squatter = (await post(ME, await nhs.clientCredentialsToken('nhs-team-squatter')).expect(200)).body.data.me;
    expect(squatter).toMatchObject({ organisation: 'nhs-trust', team: 'early-help-north' });
    const assignments = hub.app.get(CaseAssignmentsService);
    const personId = randomUUID();
    const admin: Principal = { subject: 'admin-1', organisation: 'council', roles: [Role.Admin] };
    await assignments.assign({ subjectKind: 'person', subjectId: personId, team: 'early-help-north' }, admin);
    const facts = (principal: Principal) => assignments.relationshipFacts(principal, [personId], new Date());
    expect(
      (
        await facts({
          subject: 'nhs-team-squatter',
          organisation: 'nhs-trust',
          roles: [Role.PartnerAgency],
          team: 'early-help-north',
        })
      ).assignments,
    ).toEqual([]);
    expect(
      (
        await facts({
          subject: 'oid-amira',
          organisation: 'council',
          roles: [Role.AccountManager],
          team: 'early-help-north',
        })
      ).assignments,
    ).toEqual([expect.objectContaining({ organisation: 'council', team: 'early-help-north', subjectId: personId })]);
  });

  it("records the actor's issuer and key id on every audit event", async () => {
    const { accessToken } = await council.authorizationCodeTokens('dpo-dev');
    const before = await head();
    const res = await post('{ auditEvents(first: 1) { nodes { seq actor { issuer keyId } } } }', accessToken).expect(
      200,
    );
    expect(res.body.errors).toBeUndefined();
    const rows = await hub.db.dataSource.query(
      `select operation, actor_subject, actor_issuer, actor_key_id from audit_event where seq > $1`,
      [before],
    );
    expect(rows).toContainEqual({
      operation: 'dpo.search',
      actor_subject: 'oid-dev',
      actor_issuer: council.issuer,
      actor_key_id: decodeProtectedHeader(accessToken).kid,
    });
    const verified = await post('{ verifyAuditChain { valid } }', accessToken).expect(200);
    expect(verified.body.data.verifyAuditChain.valid).toBe(true);
  });

  it("follows the partner provider's key rotation without a restart: the new key within seconds, the old one gone with it", async () => {
    const before = await nhs.clientCredentialsToken('nhs-safeguarding');
    await post(ME, before).expect(200);
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await nhs.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    const after = await nhs.clientCredentialsToken('nhs-safeguarding');
    // The hub refetches a key set for an unknown kid at most once per AUTH_KEY_SET_REFETCH_SECONDS (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await post(ME, after).expect(200);
    expect(res.body.data.me.subject).toBe('nhs-safeguarding');
    // The refetched set no longer holds the old key: the token it signed is refused at once, remembered or not.
    await post(ME, before).expect(401);
  });
});
