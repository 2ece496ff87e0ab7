import { AuthException } from './auth.exception';
import { principalFromClaims } from './claims-principal';
import { Role } from './principal';

describe('principalFromClaims', () => {
  it('maps the claims to a principal', () => {
    expect(
      principalFromClaims({ sub: 'u1', org: 'council', roles: ['caseworker', 'dpo'], team: 'adults', azp: 'portal', jti: 't1' }),
    ).toEqual({ subject: 'u1', organisation: 'council', roles: [Role.Caseworker, Role.Dpo], team: 'adults', client: 'portal', tokenId: 't1' });
  });

  it('reads roles given as a space-separated string and client_id when azp is absent', () => {
    expect(principalFromClaims({ sub: 'c', org: 'nhs-trust', roles: 'partner-agency other', client_id: 'nhs-app' })).toEqual({
      subject: 'c',
      organisation: 'nhs-trust',
      roles: [Role.PartnerAgency],
      client: 'nhs-app',
    });
  });

  it('ignores unknown roles and refuses a token left with none', () => {
    expect(principalFromClaims({ sub: 'u', org: 'council', roles: ['superuser', 'admin', 'admin'] }).roles).toEqual([Role.Admin]);
    for (const roles of [undefined, [], ['superuser'], 'root', 42]) {
      expect(() => principalFromClaims({ sub: 'u', org: 'council', roles })).toThrow(AuthException);
    }
  });

  it('requires a subject and an organisation', () => {
    expect(() => principalFromClaims({ org: 'council', roles: ['admin'] })).toThrow(expect.objectContaining({ reason: 'missing-claim' }));
    expect(() => principalFromClaims({ sub: 'u', roles: ['admin'] })).toThrow(expect.objectContaining({ reason: 'missing-claim' }));
    expect(() => principalFromClaims({ sub: 'u', org: '  ', roles: ['admin'] })).toThrow(expect.objectContaining({ reason: 'missing-claim' }));
  });
});
