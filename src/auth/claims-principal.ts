import type { JWTPayload } from 'jose';
import { AuthException } from './auth.exception';
import { Principal, Role } from './principal';

const knownRoles = new Set<string>(Object.values(Role));

/** The claims the hub reads. Roles may come as an array or a space-separated string (OAuth scope style). */
export interface HubClaims extends JWTPayload {
  org?: unknown;
  roles?: unknown;
  team?: unknown;
  azp?: unknown;
  client_id?: unknown;
}

/**
 * Maps verified claims to a principal. Unknown roles are dropped (an identity provider may carry roles for
 * other systems); a token left with no hub role is refused, so "no roles" can never mean "some access".
 */
export function principalFromClaims(claims: HubClaims): Principal {
  const subject = text(claims.sub);
  const organisation = text(claims.org);
  if (!subject || !organisation) throw AuthException.unauthenticated('missing-claim');
  const roles = roleList(claims.roles).filter((role): role is Role => knownRoles.has(role));
  if (roles.length === 0) throw AuthException.unauthenticated('no-known-role');
  const team = text(claims.team);
  const client = text(claims.azp) ?? text(claims.client_id);
  const tokenId = text(claims.jti);
  return {
    subject,
    organisation,
    roles: [...new Set(roles)],
    ...(team ? { team } : {}),
    ...(client ? { client } : {}),
    ...(tokenId ? { tokenId } : {}),
  };
}

function roleList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && value.length <= 256 ? value : undefined;
}
