import { AuthException } from '../engine/auth.exception';
import { principalFromClaims } from './claims-principal';
import { IssuerEntry, parseIssuers } from './issuers/issuer-registry';
import { Role } from '../engine/principal';

const facts = { keyId: 'k1', councilOrganisation: 'council' };
const options = { production: false, councilOrganisation: 'council', baseDir: '/' };
const entry = (overrides: Record<string, unknown> = {}): IssuerEntry =>
  parseIssuers(
    [
      {
        issuer: 'https://idp.example',
        jwksUri: 'https://idp.example/jwks',
        audience: 'hub',
        organisations: ['council', 'nhs-trust'],
        roles: Object.values(Role),
        ...overrides,
      },
    ],
    options,
    'test',
  )[0];
const reasonOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AuthException).reason;
  }
  return 'accepted';
};

describe('principalFromClaims', () => {
  it('maps the default claims to a principal with its issuer and key id', () => {
    expect(
      principalFromClaims(
        { sub: 'u1', org: 'council', roles: ['caseworker', 'dpo'], team: 'adults', azp: 'portal', jti: 't1' },
        entry(),
        facts,
      ),
    ).toEqual({
      subject: 'u1',
      organisation: 'council',
      roles: [Role.Caseworker, Role.Dpo],
      team: 'adults',
      client: 'portal',
      tokenId: 't1',
      issuer: 'https://idp.example',
      keyId: 'k1',
    });
  });

  it('reads roles given as a space-separated string and client_id when azp is absent', () => {
    expect(
      principalFromClaims(
        { sub: 'c', org: 'nhs-trust', roles: 'partner-agency other', client_id: 'nhs-app' },
        entry(),
        facts,
      ),
    ).toMatchObject({
      subject: 'c',
      organisation: 'nhs-trust',
      roles: [Role.PartnerAgency],
      client: 'nhs-app',
    });
  });

  it('ignores unknown roles and refuses a token left with none', () => {
    expect(
      principalFromClaims({ sub: 'u', org: 'council', roles: ['superuser', 'admin', 'admin'] }, entry(), facts).roles,
    ).toEqual([Role.Admin]);
    for (const roles of [undefined, [], ['superuser'], 'root', 42]) {
      expect(reasonOf(() => principalFromClaims({ sub: 'u', org: 'council', roles }, entry(), facts))).toBe(
        'no-known-role',
      );
    }
  });

  it('requires a subject, and an organisation when the issuer speaks for several', () => {
    expect(reasonOf(() => principalFromClaims({ org: 'council', roles: ['admin'] }, entry(), facts))).toBe(
      'missing-claim',
    );
    expect(reasonOf(() => principalFromClaims({ sub: 'u', roles: ['admin'] }, entry(), facts))).toBe('missing-claim');
    expect(reasonOf(() => principalFromClaims({ sub: 'u', org: '  ', roles: ['admin'] }, entry(), facts))).toBe(
      'missing-claim',
    );
  });

  it('fixes the organisation of an issuer listed for one, and refuses a token naming another', () => {
    const nhs = entry({ organisations: ['nhs-trust'], roles: ['partner-agency'] });
    expect(principalFromClaims({ sub: 'c', roles: ['partner-agency'] }, nhs, facts).organisation).toBe('nhs-trust');
    expect(
      reasonOf(() => principalFromClaims({ sub: 'c', org: 'council', roles: ['partner-agency'] }, nhs, facts)),
    ).toBe('organisation-not-allowed');
  });

  it('refuses a role outside the entry rather than dropping it', () => {
    const nhs = entry({ organisations: ['nhs-trust'], roles: ['partner-agency'] });
    const error = (() => {
      try {
        principalFromClaims({ sub: 'c', roles: ['partner-agency', 'caseworker'] }, nhs, facts);
      } catch (caught) {
        return caught as AuthException;
      }
    })();
    expect(error?.reason).toBe('role-not-allowed');
    expect(error?.token).toEqual({ claimedOrganisation: 'nhs-trust', claimedRoles: ['caseworker'] });
  });

  it('keeps admin, dpo and data-steward to the council even for an issuer listed for several organisations', () => {
    for (const role of ['admin', 'dpo', 'data-steward']) {
      expect(reasonOf(() => principalFromClaims({ sub: 'x', org: 'nhs-trust', roles: [role] }, entry(), facts))).toBe(
        'role-not-allowed',
      );
    }
    expect(principalFromClaims({ sub: 'x', org: 'council', roles: ['dpo'] }, entry(), facts).roles).toEqual([Role.Dpo]);
  });

  it('maps Keycloak realm roles, renamed by a value map', () => {
    const keycloak = entry({
      claims: {
        roles: { path: 'realm_access.roles', values: { 'hub-dpo': 'dpo', 'hub-am': 'account-manager' } },
        subject: 'preferred_username',
      },
    });
    const principal = principalFromClaims(
      {
        sub: 'uuid-1',
        preferred_username: 'jo',
        org: 'council',
        realm_access: { roles: ['offline_access', 'hub-am', 'dpo'] },
      },
      keycloak,
      facts,
    );
    // `dpo` is not in the map, so it is not a hub role here: only mapped values count.
    expect(principal).toMatchObject({ subject: 'jo', roles: [Role.AccountManager] });
  });

  it('maps Entra ID app roles and tenant through value maps, and falls back along client paths', () => {
    const entra = entry({
      organisations: ['council'],
      claims: {
        subject: 'oid',
        roles: { path: 'roles', values: { 'Hub.Caseworker': 'caseworker' } },
        organisation: { path: 'tid', values: { 'tenant-guid': 'council' } },
        client: ['azp', 'appid'],
      },
    });
    expect(
      principalFromClaims(
        { oid: 'o-1', sub: 'pairwise', tid: 'tenant-guid', roles: ['Hub.Caseworker'], appid: 'app-1' },
        entra,
        facts,
      ),
    ).toMatchObject({
      subject: 'o-1',
      organisation: 'council',
      roles: [Role.Caseworker],
      client: 'app-1',
    });
    // Another tenant maps to nothing; the one organisation the entry names must not be assumed for it.
    expect(
      reasonOf(() => principalFromClaims({ oid: 'o-1', tid: 'other-tenant', roles: ['Hub.Caseworker'] }, entra, facts)),
    ).toBe('organisation-not-allowed');
  });

  it('reads roles from groups or scope', () => {
    const groups = entry({ claims: { roles: { path: 'groups', values: { 'sg-hub-dpo': 'dpo' } } } });
    expect(
      principalFromClaims({ sub: 'u', org: 'council', groups: ['sg-hub-dpo', 'sg-other'] }, groups, facts).roles,
    ).toEqual([Role.Dpo]);
    const scope = entry({ claims: { roles: 'scope' } });
    expect(
      principalFromClaims({ sub: 'u', org: 'nhs-trust', scope: 'openid partner-agency' }, scope, facts).roles,
    ).toEqual([Role.PartnerAgency]);
  });

  it('never splits a single-valued claim', () => {
    expect(
      principalFromClaims({ sub: 'Jo Bloggs', org: 'council', roles: ['caseworker'] }, entry(), facts).subject,
    ).toBe('Jo Bloggs');
  });
});
