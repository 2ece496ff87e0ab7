import { z } from 'zod';
import { Role } from '../engine/principal';
import {
  DEFAULT_CLAIMS,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  IssuerEntry,
  IssuerRegistryError,
  parseIssuers,
  readIssuersFile,
} from './issuers/issuer-registry';
import { defineSettings } from '../config/config';

/** Signature algorithms the hub can accept; never `none` and never a shared-secret (HS*) algorithm. */
export const ASYMMETRIC_JWT_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;

export const LOCAL_TOKEN_ISSUER = 'urn:single-view-hub:local';
export const LOCAL_TOKEN_AUDIENCE = 'urn:single-view-hub:api';

/** Dev tokens live at most a day (`token --ttl`). */
export const MAX_DEV_TOKEN_TTL = 24 * 3600;

export interface AuthConfig {
  /** Every identity provider the hub trusts (see docs/access-control.md), the dev issuer included when on. */
  issuers: IssuerEntry[];
  /** The council's own organisation id: only its issuers may grant admin, dpo and data-steward. */
  councilOrganisation: string;
  clockSkewSeconds: number;
  /** How long a verified token is remembered (never past its `exp` or its key's presence); 0 verifies every time. */
  verifiedTokenCacheSeconds: number;
  algorithms: string[];
  /** The hub signs and trusts its own dev tokens: never in production. */
  localSigning: boolean;
  /** A fetched key set is used at most this long (less when its Cache-Control says so). */
  keySetMaxAgeSeconds: number;
  /** At most one key-set fetch per issuer in this many seconds, however many unknown `kid`s arrive. */
  keySetRefetchSeconds: number;
}

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const authEnvSchema = {
  AUTH_ISSUERS_FILE: z.string().min(1).optional(),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_COUNCIL_ORGANISATION: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id (lower-case letters, digits and -)')
    .default('council'),
  AUTH_DEV_TOKENS: flag.optional(),
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  AUTH_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  AUTH_KEY_SET_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  AUTH_KEY_SET_REFETCH_SECONDS: z.coerce.number().int().min(1).max(60).default(5),
  AUTH_ALGORITHMS: z
    .string()
    .default('ES256,RS256,PS256,EdDSA')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((alg) => (ASYMMETRIC_JWT_ALGORITHMS as readonly string[]).includes(alg)),
      `must list only ${ASYMMETRIC_JWT_ALGORITHMS.join(', ')}`,
    ),
};

type AuthEnv = { NODE_ENV: 'development' | 'test' | 'production' } & z.output<z.ZodObject<typeof authEnvSchema>>;

/** The roles the council's own provider may grant by the one-issuer shorthand: every staff role. */
const councilRoles = (Object.values(Role) as Role[]).filter((role) => role !== Role.PartnerAgency);

export function toAuthConfig(values: AuthEnv, fail: (message: string) => never): AuthConfig {
  const production = values.NODE_ENV === 'production';
  const council = values.AUTH_COUNCIL_ORGANISATION;
  if (values.AUTH_JWKS_FILE) {
    // A key file on its own would let its keys vouch for any issuer, organisation and role.
    fail(
      'Invalid configuration: AUTH_JWKS_FILE is no longer trusted on its own: list the keys as the jwksFile of an issuer in AUTH_ISSUERS_FILE',
    );
  }
  const issuers: IssuerEntry[] = [];
  try {
    if (values.AUTH_ISSUERS_FILE)
      issuers.push(...readIssuersFile(values.AUTH_ISSUERS_FILE, { production, councilOrganisation: council }));
    if (values.AUTH_JWKS_URL) issuers.push(...councilShorthand(values, production, council));
  } catch (error) {
    if (error instanceof IssuerRegistryError) fail(`Invalid configuration: ${error.message}`);
    throw error;
  }
  if (
    values.AUTH_ISSUERS_FILE &&
    values.AUTH_JWKS_URL &&
    new Set(issuers.map((entry) => entry.issuer)).size < issuers.length
  ) {
    fail(`Invalid configuration: AUTH_ISSUER ${values.AUTH_ISSUER} is also listed in AUTH_ISSUERS_FILE`);
  }
  if (production && values.AUTH_DEV_TOKENS)
    fail('Invalid configuration: AUTH_DEV_TOKENS must not be true when NODE_ENV=production');
  const localSigning = !production && (values.AUTH_DEV_TOKENS ?? issuers.length === 0);
  if (localSigning) issuers.push(devIssuer());
  return {
    issuers,
    councilOrganisation: council,
    clockSkewSeconds: values.AUTH_CLOCK_SKEW_SECONDS,
    verifiedTokenCacheSeconds: values.AUTH_TOKEN_CACHE_SECONDS,
    algorithms: values.AUTH_ALGORITHMS,
    localSigning,
    keySetMaxAgeSeconds: values.AUTH_KEY_SET_MAX_AGE_SECONDS,
    keySetRefetchSeconds: values.AUTH_KEY_SET_REFETCH_SECONDS,
  };
}

/** `AUTH_JWKS_URL` + `AUTH_ISSUER` + `AUTH_AUDIENCE`: the council's own provider, for council staff only. */
function councilShorthand(values: AuthEnv, production: boolean, council: string): IssuerEntry[] {
  if (production && !values.AUTH_JWKS_URL!.toLowerCase().startsWith('https:')) {
    throw new IssuerRegistryError('AUTH_JWKS_URL must be an https:// URL when NODE_ENV=production');
  }
  // An external identity provider's tokens are only meaningful for the issuer and audience it was set up with.
  if (!values.AUTH_ISSUER || !values.AUTH_AUDIENCE) {
    throw new IssuerRegistryError(
      `${values.AUTH_ISSUER ? 'AUTH_AUDIENCE' : 'AUTH_ISSUER'} is required when AUTH_JWKS_URL is set`,
    );
  }
  const entry = {
    issuer: values.AUTH_ISSUER,
    jwksUri: values.AUTH_JWKS_URL,
    audience: values.AUTH_AUDIENCE,
    organisations: [council],
    roles: councilRoles,
  };
  return parseIssuers([entry], { production, councilOrganisation: council, baseDir: process.cwd() }, 'AUTH_JWKS_URL');
}

/** The hub's own key, for the CLI's dev tokens and the demo personas: any organisation, within the role rules. */
function devIssuer(): IssuerEntry {
  return {
    issuer: LOCAL_TOKEN_ISSUER,
    keys: { kind: 'hub' },
    audience: [LOCAL_TOKEN_AUDIENCE],
    organisations: '*',
    roles: Object.values(Role) as Role[],
    claims: DEFAULT_CLAIMS,
    maxTokenLifetimeSeconds: Math.max(MAX_DEV_TOKEN_TTL, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
  };
}

declare module '../config/config' {
  interface AppConfig {
    /** Bearer-token verification (see docs/access-control.md). */
    auth: AuthConfig;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const authSettings = defineSettings(authEnvSchema, (values, fail) => ({ auth: toAuthConfig(values, fail) }));
