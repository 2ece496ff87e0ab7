import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { loadConfig } from '../config/config';
import { HubKeyService } from '../keys/hub-key.service';
import { AuthException } from './auth.exception';
import { Role } from './principal';
import { TokenVerifier } from './token-verifier.service';

describe('TokenVerifier: remembering verified tokens', () => {
  let privateKey: CryptoKey;
  let jwksFile: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwksFile = join(mkdtempSync(join(tmpdir(), 'hub-jwks-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'partner-1', alg: 'ES256' }] }));
  });

  const verifier = async (env: Record<string, string> = {}) => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: 'idp', AUTH_AUDIENCE: 'hub', AUTH_CLOCK_SKEW_SECONDS: '0', ...env });
    const tokens = new TokenVerifier(config, {} as HubKeyService);
    await tokens.onModuleInit();
    return tokens;
  };
  const sign = (expiresAt: number, subject = 'nhs-client') =>
    new SignJWT({ org: 'nhs-trust', roles: [Role.PartnerAgency] })
      .setProtectedHeader({ alg: 'ES256', kid: 'partner-1' })
      .setSubject(subject)
      .setIssuer('idp')
      .setAudience('hub')
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  const reason = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: AuthException) => error.reason);
  const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

  it('answers a token it has verified from memory, with a principal nobody can change', async () => {
    const tokens = await verifier();
    const token = await sign(inSeconds(300));
    const first = await tokens.verify(token);
    expect(await tokens.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    expect(() => first.roles.push(Role.Admin)).toThrow(TypeError);
  });

  it('verifies every token afresh with AUTH_TOKEN_CACHE_SECONDS=0', async () => {
    const tokens = await verifier({ AUTH_TOKEN_CACHE_SECONDS: '0' });
    const token = await sign(inSeconds(300));
    const first = await tokens.verify(token);
    const second = await tokens.verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('does not remember a token past its expiry', async () => {
    const tokens = await verifier();
    const token = await sign(inSeconds(2));
    expect((await tokens.verify(token)).subject).toBe('nhs-client');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, inSeconds(2) * 1000 - Date.now()) + 1100));
    expect(await reason(tokens.verify(token))).toBe('expired');
  });

  it('serves only the exact text: an altered token is verified, and refused', async () => {
    const tokens = await verifier();
    const token = await sign(inSeconds(300));
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['admin'] };
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expect(await reason(tokens.verify(forged))).toBe('bad-signature');
    const other = await sign(inSeconds(300), 'someone-else');
    expect((await tokens.verify(other)).subject).toBe('someone-else');
  });
});
