import type { JWTPayload } from 'jose';
import { AuthException } from '../engine/auth.exception';
import { ClaimRule, COUNCIL_ONLY_ROLES, IssuerEntry } from './issuers/issuer-registry';
import { Principal, Role } from '../engine/principal';

const knownRoles = new Set<string>(Object.values(Role));

/** Facts about the token besides its claims. */
export interface TokenFacts {
  keyId: string;
  councilOrganisation: string;
}

/**
 * Maps verified claims to a principal through the issuer's claim rules, and holds the issuer to its entry:
 * an organisation or a hub role outside the entry is refused, never dropped, so a dishonest or misconfigured
 * provider is noticed (the refusal is audited with its reason). Roles the hub does not know are ignored (a
 * provider carries roles for other systems); a token left with no hub role is refused, so "no roles" can
 * never mean "some access".
 */
export function principalFromClaims(claims: JWTPayload, entry: IssuerEntry, facts: TokenFacts): Principal {
  const subject = text(claims, entry.claims.subject);
  if (!subject) throw AuthException.unauthenticated('missing-claim');
  const organisation = organisationOf(claims, entry);
  const granted = values(claims, entry.claims.roles).filter((role) => knownRoles.has(role)) as Role[];
  if (granted.length === 0) throw AuthException.unauthenticated('no-known-role');
  const outside = granted.filter((role) => !entry.roles.includes(role));
  if (outside.length > 0)
    throw AuthException.unauthenticated('role-not-allowed', {
      claimedOrganisation: organisation,
      claimedRoles: outside,
    });
  // Whatever an issuer's entry says, council-only roles belong to the council's own people.
  const councilOnly = granted.filter((role) => COUNCIL_ONLY_ROLES.includes(role));
  if (councilOnly.length > 0 && organisation !== facts.councilOrganisation) {
    throw AuthException.unauthenticated('role-not-allowed', {
      claimedOrganisation: organisation,
      claimedRoles: councilOnly,
    });
  }
  const team = text(claims, entry.claims.team);
  const client = text(claims, entry.claims.client);
  const tokenId = text(claims, { paths: [['jti']] });
  return {
    subject,
    organisation,
    roles: [...new Set(granted)],
    issuer: entry.issuer,
    keyId: facts.keyId,
    ...(team ? { team } : {}),
    ...(client ? { client } : {}),
    ...(tokenId ? { tokenId } : {}),
  };
}

function organisationOf(claims: JWTPayload, entry: IssuerEntry): string {
  const claimed = text(claims, entry.claims.organisation);
  // Present but unknown to the value map (another tenant, say) is a claim of another organisation, not silence.
  if (!claimed && present(claims, entry.claims)) throw AuthException.unauthenticated('organisation-not-allowed');
  if (entry.organisations === '*') {
    if (!claimed) throw AuthException.unauthenticated('missing-claim');
    return claimed;
  }
  // One organisation: the issuer speaks for it alone, so the token need not say.
  if (!claimed && entry.organisations.length === 1) return entry.organisations[0];
  if (!claimed) throw AuthException.unauthenticated('missing-claim');
  if (!entry.organisations.includes(claimed))
    throw AuthException.unauthenticated('organisation-not-allowed', { claimedOrganisation: claimed });
  return claimed;
}

/** A single-valued attribute (subject, organisation, team, client): the first path present, renamed by the rule's map. */
function text(claims: JWTPayload, rule: ClaimRule): string | undefined {
  return values(claims, rule, false)[0];
}

/**
 * The values of the first path present, as strings, renamed by the rule's map. A list attribute (roles) may
 * come as an array or as a space-separated string, as OAuth's `scope` does.
 */
export function values(claims: JWTPayload, rule: ClaimRule, list = true): string[] {
  for (const path of rule.paths) {
    const value = at(claims, path);
    if (value === undefined || value === null) continue;
    const items =
      Array.isArray(value) && list
        ? value
        : typeof value === 'string'
          ? list
            ? value.split(/\s+/)
            : [value.trim()]
          : [];
    const plain = items.filter(
      (item): item is string => typeof item === 'string' && item.trim() !== '' && item.length <= 256,
    );
    const map = rule.values;
    if (!map) return plain;
    return plain.flatMap((item) => (Object.hasOwn(map, item) ? [map[item]] : []));
  }
  return [];
}

function present(claims: JWTPayload, rules: IssuerEntry['claims']): boolean {
  return rules.organisation.paths.some((path) => {
    const value = at(claims, path);
    return typeof value === 'string' && value.trim() !== '';
  });
}

function at(claims: JWTPayload, path: string[]): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
