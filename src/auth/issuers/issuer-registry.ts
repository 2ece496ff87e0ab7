import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { Role } from '../../engine/principal';

/** Roles only the council's own staff may hold: an issuer must be listed for the council to grant them. */
export const COUNCIL_ONLY_ROLES: readonly Role[] = [Role.Admin, Role.Dpo, Role.DataSteward, Role.Registrar];

/** Where one principal attribute is read from a token: the first claim path present, its values optionally renamed. */
export interface ClaimRule {
  /** Dotted claim paths (`roles`, `realm_access.roles`, `resource_access.hub.roles`, `scope`), tried in order. */
  paths: string[][];
  /** Claim value → hub value (e.g. a group name → `dpo`). When given, values it does not name are ignored. */
  values?: Readonly<Record<string, string>>;
}

export interface ClaimRules {
  subject: ClaimRule;
  roles: ClaimRule;
  organisation: ClaimRule;
  team: ClaimRule;
  client: ClaimRule;
}

/** Where an issuer's public keys come from. */
export type KeySource =
  | { kind: 'remote'; uri: string; caFile?: string }
  | { kind: 'file'; path: string }
  /** The hub's own key: dev tokens, outside production only. */
  | { kind: 'hub' };

/** One identity provider the hub trusts, and exactly how far. */
export interface IssuerEntry {
  issuer: string;
  keys: KeySource;
  /** Any of these `aud` values is accepted. */
  audience: string[];
  /** The only organisations its tokens may name; `*` only for the hub's dev issuer. */
  organisations: string[] | '*';
  /** The only hub roles it may grant. */
  roles: Role[];
  claims: ClaimRules;
  maxTokenLifetimeSeconds: number;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600;

export const DEFAULT_CLAIMS: ClaimRules = {
  subject: { paths: [['sub']] },
  roles: { paths: [['roles']] },
  organisation: { paths: [['org']] },
  team: { paths: [['team']] },
  client: { paths: [['azp'], ['client_id']] },
};

const roleNames = Object.values(Role) as string[];
const claimPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a claim name or a dotted path such as realm_access.roles');
const claimRuleSchema = z.union([
  claimPath,
  z.array(claimPath).min(1).max(5),
  z
    .object({
      path: z.union([claimPath, z.array(claimPath).min(1).max(5)]),
      values: z.record(z.string().min(1).max(256), z.string().min(1).max(256)).optional(),
    })
    .strict(),
]);
const organisationId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be an organisation id (lower-case letters, digits and -)');

const entrySchema = z
  .object({
    issuer: z.string().min(1).max(512),
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    jwksFile: z.string().min(1).optional(),
    caFile: z.string().min(1).optional(),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    organisations: z.array(organisationId).min(1),
    roles: z.array(z.enum(roleNames as [string, ...string[]])).min(1),
    claims: z
      .object({
        subject: claimRuleSchema,
        roles: claimRuleSchema,
        organisation: claimRuleSchema,
        team: claimRuleSchema,
        client: claimRuleSchema,
      })
      .partial()
      .strict()
      .optional(),
    maxTokenLifetimeSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .strict();

const fileSchema = z.object({ issuers: z.array(entrySchema).min(1) }).strict();

export interface RegistryOptions {
  production: boolean;
  councilOrganisation: string;
  /** Relative `jwksFile` / `caFile` paths are read from beside the registry file. */
  baseDir: string;
}

/** A registry file problem: one line naming the file, the entry and the setting. */
export class IssuerRegistryError extends Error {
  override readonly name = 'IssuerRegistryError';
}

/** Reads and validates AUTH_ISSUERS_FILE (JSON: an array of entries, or `{"issuers": [...]}`). */
export function readIssuersFile(path: string, options: Omit<RegistryOptions, 'baseDir'>): IssuerEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `not valid JSON (${(error as Error).message})`;
    throw new IssuerRegistryError(`AUTH_ISSUERS_FILE ${path}: ${why}`);
  }
  return parseIssuers(raw, { ...options, baseDir: resolve(path, '..') }, `AUTH_ISSUERS_FILE ${path}`);
}

export function parseIssuers(raw: unknown, options: RegistryOptions, where: string): IssuerEntry[] {
  // A bare array is the `issuers` list on its own.
  const parsed = fileSchema.safeParse(Array.isArray(raw) ? { issuers: raw } : raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IssuerRegistryError(`${where}: ${issue.path.join('.') || 'file'} ${issue.message}`);
  }
  const entries = parsed.data.issuers;
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const at = `${where}: issuers[${index}] (${entry.issuer})`;
    if (seen.has(entry.issuer)) throw new IssuerRegistryError(`${at} is listed twice: one entry per issuer`);
    seen.add(entry.issuer);
    return toEntry(entry, options, at);
  });
}

function toEntry(entry: z.infer<typeof entrySchema>, options: RegistryOptions, at: string): IssuerEntry {
  if (!!entry.jwksUri === !!entry.jwksFile)
    throw new IssuerRegistryError(`${at} needs exactly one of jwksUri and jwksFile`);
  // Whoever can alter a key set fetched over plain http can mint tokens the hub accepts.
  if (entry.jwksUri && options.production && !entry.jwksUri.startsWith('https:')) {
    throw new IssuerRegistryError(`${at}: jwksUri must be an https:// URL when NODE_ENV=production`);
  }
  const roles = entry.roles as Role[];
  const privileged = roles.filter((role) => COUNCIL_ONLY_ROLES.includes(role));
  if (privileged.length > 0 && !entry.organisations.includes(options.councilOrganisation)) {
    throw new IssuerRegistryError(
      `${at} may not grant ${privileged.join(', ')}: only an issuer listed for the council (${options.councilOrganisation}) may`,
    );
  }
  const keys: KeySource = entry.jwksUri
    ? {
        kind: 'remote',
        uri: entry.jwksUri,
        ...(entry.caFile ? { caFile: resolve(options.baseDir, entry.caFile) } : {}),
      }
    : { kind: 'file', path: resolve(options.baseDir, entry.jwksFile!) };
  return {
    issuer: entry.issuer,
    keys,
    audience: Array.isArray(entry.audience) ? entry.audience : [entry.audience],
    organisations: [...new Set(entry.organisations)],
    roles: [...new Set(roles)],
    claims: claimRules(entry.claims ?? {}),
    maxTokenLifetimeSeconds: entry.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  };
}

function claimRules(given: Partial<Record<keyof ClaimRules, z.infer<typeof claimRuleSchema>>>): ClaimRules {
  const rules = { ...DEFAULT_CLAIMS };
  for (const [name, rule] of Object.entries(given) as [keyof ClaimRules, z.infer<typeof claimRuleSchema>][]) {
    const paths = typeof rule === 'string' || Array.isArray(rule) ? rule : rule.path;
    const values = typeof rule === 'object' && !Array.isArray(rule) ? rule.values : undefined;
    rules[name] = {
      paths: (Array.isArray(paths) ? paths : [paths]).map((path) => path.split('.')),
      ...(values ? { values } : {}),
    };
  }
  return rules;
}
