import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '../hub-config';
import { HubKeyService } from '../keys/hub-key.service';
import { AuthException } from '../engine/auth.exception';
import { Role } from '../engine/principal';
import { TokenVerifier } from './token-verifier.service';

describe('TokenVerifier', () => {
  let partnerKey: CryptoKey;
  let councilKey: CryptoKey;
  let issuersFile: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-jwks-'));
    const partner = await generateKeyPair('ES256');
    const council = await generateKeyPair('ES256');
    partnerKey = partner.privateKey;
    councilKey = council.privateKey;
    writeFileSync(
      join(dir, 'partner.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(partner.publicKey)), kid: 'partner-1', alg: 'ES256' }] }),
    );
    writeFileSync(
      join(dir, 'council.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(council.publicKey)), kid: 'council-1', alg: 'ES256' }] }),
    );
    issuersFile = join(dir, 'issuers.json');
    writeFileSync(
      issuersFile,
      JSON.stringify({
        issuers: [
          {
            issuer: 'https://idp.council.example',
            jwksFile: 'council.json',
            audience: 'hub',
            organisations: ['council'],
            roles: ['caseworker', 'admin', 'dpo'],
          },
          {
            issuer: 'https://idp.nhs.example',
            jwksFile: 'partner.json',
            audience: 'hub',
            organisations: ['nhs-trust'],
            roles: ['partner-agency'],
            maxTokenLifetimeSeconds: 3600,
          },
        ],
      }),
    );
  });

  const verifier = async (env: Record<string, string> = {}) => {
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_ISSUERS_FILE: issuersFile,
      AUTH_CLOCK_SKEW_SECONDS: '0',
      ...env,
    });
    const tokens = new TokenVerifier(config, {} as HubKeyService);
    await tokens.onModuleInit();
    return tokens;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const partnerToken = (
    build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setIssuedAt().setExpirationTime(now() + 300),
    claims: Record<string, unknown> = {},
  ) =>
    build(
      new SignJWT({ roles: [Role.PartnerAgency], ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
        .setSubject('nhs-client')
        .setIssuer('https://idp.nhs.example')
        .setAudience('hub'),
    ).sign(partnerKey);
  /** A token naming the council's issuer, signed with whichever key and kid the test says. */
  const councilToken = (kid: string, key: CryptoKey, claims: Record<string, unknown>, subject = 'attacker') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject(subject)
      .setIssuer('https://idp.council.example')
      .setAudience('hub')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  const reason = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: AuthException) => error.reason,
    );

  it('answers a token it has verified from memory, with a principal nobody can change', async () => {
    const tokens = await verifier();
    const token = await partnerToken();
    const first = await tokens.verify(token);
    expect(first).toMatchObject({
      subject: 'nhs-client',
      organisation: 'nhs-trust',
      issuer: 'https://idp.nhs.example',
      keyId: 'partner-1',
    });
    expect(await tokens.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    expect(() => first.roles.push(Role.Admin)).toThrow(TypeError);
  });

  it('verifies every token afresh with AUTH_TOKEN_CACHE_SECONDS=0', async () => {
    const tokens = await verifier({ AUTH_TOKEN_CACHE_SECONDS: '0' });
    const token = await partnerToken();
    const first = await tokens.verify(token);
    const second = await tokens.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('does not remember a token past its expiry', async () => {
    const tokens = await verifier();
    const exp = now() + 2;
    const token = await partnerToken((jwt) => jwt.setExpirationTime(exp));
    expect((await tokens.verify(token)).subject).toBe('nhs-client');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 1100));
    expect(await reason(tokens.verify(token))).toBe('expired');
  });

  it('serves only the exact text: an altered token is verified, and refused', async () => {
    const tokens = await verifier();
    const token = await partnerToken();
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] };
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expect(await reason(tokens.verify(forged))).toBe('bad-signature');
  });

  it("refuses a partner's key signing for the council's issuer (finding 1)", async () => {
    const tokens = await verifier();
    const forged = await councilToken('partner-1', partnerKey, { org: 'council', roles: ['admin', 'dpo'] });
    const refused = await tokens.verify(forged).catch((error: AuthException) => error);
    expect(refused).toBeInstanceOf(AuthException);
    expect((refused as AuthException).reason).toBe('unknown-kid');
    // The audit trail learns what the token claimed about itself.
    expect((refused as AuthException).token).toEqual({ issuer: 'https://idp.council.example', keyId: 'partner-1' });
    // Even with the council's kid in the header, the partner's key does not verify.
    const withCouncilKid = await councilToken('council-1', partnerKey, { org: 'council', roles: ['admin'] });
    expect(await reason(tokens.verify(withCouncilKid))).toBe('bad-signature');
  });

  it('holds each issuer to its organisations and roles (findings 1 and 2)', async () => {
    const tokens = await verifier();
    expect(await reason(tokens.verify(await partnerToken(undefined, { org: 'council' })))).toBe(
      'organisation-not-allowed',
    );
    expect(await reason(tokens.verify(await partnerToken(undefined, { roles: ['partner-agency', 'admin'] })))).toBe(
      'role-not-allowed',
    );
    expect(await reason(tokens.verify(await partnerToken(undefined, { roles: ['dpo'] })))).toBe('role-not-allowed');
    const council = await councilToken('council-1', councilKey, { roles: ['dpo'] }, 'dpo-1');
    expect(await tokens.verify(council)).toMatchObject({
      organisation: 'council',
      roles: [Role.Dpo],
      issuer: 'https://idp.council.example',
      keyId: 'council-1',
    });
  });

  it('refuses an unknown issuer', async () => {
    const tokens = await verifier();
    const token = await new SignJWT({ org: 'nhs-trust', roles: ['partner-agency'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setSubject('x')
      .setIssuer('https://evil.example')
      .setAudience('hub')
      .setExpirationTime('5m')
      .sign(partnerKey);
    expect(await reason(tokens.verify(token))).toBe('unknown-issuer');
  });

  it('bounds token lifetime: exp - iat, exp - now without iat, and iat in the future (finding 5)', async () => {
    const tokens = await verifier();
    expect(
      await reason(tokens.verify(await partnerToken((jwt) => jwt.setIssuedAt().setExpirationTime(now() + 3600)))),
    ).toBe('accepted');
    expect(
      await reason(tokens.verify(await partnerToken((jwt) => jwt.setIssuedAt().setExpirationTime(now() + 3700)))),
    ).toBe('lifetime-too-long');
    expect(await reason(tokens.verify(await partnerToken((jwt) => jwt.setExpirationTime(1e308))))).toBe(
      'lifetime-too-long',
    );
    expect(
      await reason(
        tokens.verify(await partnerToken((jwt) => jwt.setIssuedAt(now() - 7200).setExpirationTime(now() + 60))),
      ),
    ).toBe('lifetime-too-long');
    expect(
      await reason(
        tokens.verify(await partnerToken((jwt) => jwt.setIssuedAt(now() + 600).setExpirationTime(now() + 900))),
      ),
    ).toBe('issued-in-future');
  });
});
