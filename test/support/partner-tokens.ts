import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Role } from '../../src/engine/principal';

export interface PartnerTokenClaims {
  subject: string;
  organisation: string;
  roles: Role[];
  /** The OAuth client id (`azp`), as a partner's machine token carries it. */
  client?: string;
}

/**
 * An identity provider's signing key, trusted by the hub through an issuer registry (`AUTH_ISSUERS_FILE`)
 * whose keys are a local JWKS file. Unlike dev tokens it works in a hub started with NODE_ENV=production,
 * which signs no tokens itself.
 */
export interface PartnerIssuer {
  /** The settings that make a hub trust this issuer's tokens. */
  env: Record<string, string>;
  token(claims: PartnerTokenClaims): Promise<string>;
}

/** One issuer the hub trusts for `organisations`, granting at most `roles`. */
export async function partnerIssuer(
  dir: string,
  organisations: string[],
  roles: Role[],
  name = 'partner-idp',
): Promise<PartnerIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${name}-key`;
  const jwksFile = join(dir, `${name}.jwks.json`);
  writeFileSync(
    jwksFile,
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] }),
  );
  const issuer = `https://${name}.example`;
  const audience = 'urn:single-view-hub:api';
  const issuersFile = join(dir, `${name}.issuers.json`);
  writeFileSync(issuersFile, JSON.stringify({ issuers: [{ issuer, jwksFile, audience, organisations, roles }] }));
  return {
    env: { AUTH_ISSUERS_FILE: issuersFile },
    token: (claims) => sign(privateKey, kid, issuer, audience, claims),
  };
}

function sign(
  key: CryptoKey,
  kid: string,
  issuer: string,
  audience: string,
  claims: PartnerTokenClaims,
): Promise<string> {
  return new SignJWT({
    org: claims.organisation,
    roles: claims.roles,
    ...(claims.client ? { azp: claims.client } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}
