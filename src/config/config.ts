import { resolve } from 'node:path';
import { z } from 'zod';
import {
  DisclosureSettings,
  disclosureEnvSchema,
  toDisclosureSettings,
} from '../access/disclosure/disclosure-settings';
import { AuditConfig, auditEnvSchema, toAuditConfig } from '../audit/audit-config';
import { AuthConfig, authEnvSchema, toAuthConfig } from '../auth/auth-settings';
import {
  RateLimitSettings,
  rateLimitEnvSchema,
  toRateLimitSettings,
  toTrustProxy,
  TrustProxy,
} from '../rate-limit/rate-limit-settings';
import {
  ObservabilitySettings,
  observabilityEnvSchema,
  toObservabilitySettings,
} from '../metrics/observability-settings';
import { SingleViewSettings, singleViewEnvSchema, toSingleViewSettings } from '../single-view/single-view-settings';
import { SourcesSettings, sourcesEnvSchema, toSourcesSettings } from '../sources/sources-settings';
import { ConsoleSettings, consoleEnvSchema, toConsoleSettings } from '../console/console-settings';

/** The hub's settings, validated once at start (see docs/configuration.md). */
export interface AppConfig {
  port: number;
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** External PostgreSQL; absent means the embedded server under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Path to the sources configuration file; absent means the in-process sandbox sources. */
  sourcesConfigPath?: string;
  /** The hub's signing key (JWK file); absent means `<dataDir>/keys/hub-signing-key.json`, made on first start. */
  signingKeyFile?: string;
  /** Public JWKs (a JWKS file) of the hub's earlier signing keys: what they signed (audit checkpoints) still verifies. */
  retiredKeysFile?: string;
  /** Query limits enforced before execution (see graphql/graphql-limits.ts). */
  graphql: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    /** Per-client persisted-query allow-lists (JSON file, see graphql/persisted-queries.ts); absent: none. */
    persistedQueriesFile?: string;
    /** Representations one request may send to `_entities`, all its `_entities` fields together. */
    maxRepresentations: number;
  };
  /** Request budgets per client and per address, and how their refusals are audited. */
  rateLimit: RateLimitSettings;
  /** Express `trust proxy`: whose `X-Forwarded-For` names the client's address (see rate-limit/rate-limit-settings.ts). */
  trustProxy: TrustProxy;
  /** Bearer-token verification (see docs/access-control.md). */
  auth: AuthConfig;
  /** Access-control settings. */
  access: { breakGlassMaxMinutes: number; referenceFactsCacheSeconds: number; breakGlassMaxPerDay: number };
  /** How many persons a client may be shown: per minute, per day, per case reference (see access/disclosure). */
  disclosure: DisclosureSettings;
  /** Audit trail: retention, checkpoints, anomaly report (see docs/data-protection.md). */
  audit: AuditConfig;
  /** Source systems: sandboxes, sync schedule (see docs/sources.md). */
  sources: SourcesSettings;
  console: ConsoleSettings;
  /** Live calls to the sources for the person and household views (see docs/single-view.md). */
  singleView: SingleViewSettings;
  /** /metrics (METRICS_PORT, METRICS_TOKEN) and traces (OTEL_EXPORTER_OTLP_ENDPOINT); see docs/monitoring.md. */
  observability: ObservabilitySettings;
}

export { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../auth/auth-settings';
export type { AuthConfig } from '../auth/auth-settings';

const postgresUrl = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl.optional(),
  HUB_DATA_DIR: z.string().min(1).default('.data'),
  SOURCES_CONFIG: z.string().min(1).optional(),
  HUB_SIGNING_KEY_FILE: z.string().min(1).optional(),
  HUB_RETIRED_KEYS_FILE: z.string().min(1).optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).max(500).default(15),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(5000),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(50).default(2000),
  GRAPHQL_PERSISTED_QUERIES: z.string().min(1).optional(),
  GRAPHQL_MAX_REPRESENTATIONS: z.coerce.number().int().min(1).max(1000).default(50),
  ...disclosureEnvSchema,
  ...rateLimitEnvSchema,
  ...authEnvSchema,
  BREAK_GLASS_MAX_MINUTES: z.coerce.number().int().min(5).max(1440).default(240),
  BREAK_GLASS_MAX_PER_DAY: z.coerce.number().int().min(1).max(50).default(3),
  ACCESS_FACTS_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  ...auditEnvSchema,
  ...sourcesEnvSchema,
  ...consoleEnvSchema,
  ...singleViewEnvSchema,
  ...observabilityEnvSchema,
});

/** Thrown for a bad setting; its message is one line naming the variable, fit to print as it is. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set", as a shell user expects from `DATABASE_URL= npm start`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const shown =
      present[variable] === undefined ? '' : ` (got ${JSON.stringify(redact(variable, present[variable]))})`;
    throw new ConfigError(`Invalid configuration: ${variable} ${describe(issue)}${shown}`);
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    nodeEnv: values.NODE_ENV,
    logLevel: values.LOG_LEVEL,
    databaseUrl: values.DATABASE_URL,
    dataDir: resolve(values.HUB_DATA_DIR),
    sourcesConfigPath: values.SOURCES_CONFIG ? resolve(values.SOURCES_CONFIG) : undefined,
    signingKeyFile: values.HUB_SIGNING_KEY_FILE ? resolve(values.HUB_SIGNING_KEY_FILE) : undefined,
    retiredKeysFile: values.HUB_RETIRED_KEYS_FILE ? resolve(values.HUB_RETIRED_KEYS_FILE) : undefined,
    graphql: {
      maxDepth: values.GRAPHQL_MAX_DEPTH,
      maxAliases: values.GRAPHQL_MAX_ALIASES,
      maxCost: values.GRAPHQL_MAX_COST,
      maxTokens: values.GRAPHQL_MAX_TOKENS,
      persistedQueriesFile: values.GRAPHQL_PERSISTED_QUERIES ? resolve(values.GRAPHQL_PERSISTED_QUERIES) : undefined,
      maxRepresentations: values.GRAPHQL_MAX_REPRESENTATIONS,
    },
    rateLimit: toRateLimitSettings(values),
    trustProxy: toTrustProxy(values),
    auth: toAuthConfig(values, (message) => {
      throw new ConfigError(message);
    }),
    access: {
      breakGlassMaxMinutes: values.BREAK_GLASS_MAX_MINUTES,
      referenceFactsCacheSeconds: values.ACCESS_FACTS_CACHE_SECONDS,
      breakGlassMaxPerDay: values.BREAK_GLASS_MAX_PER_DAY,
    },
    disclosure: toDisclosureSettings(values),
    audit: toAuditConfig(values),
    sources: toSourcesSettings(values, (message) => {
      throw new ConfigError(message);
    }),
    singleView: toSingleViewSettings(values),
    console: toConsoleSettings(values, (message) => {
      throw new ConfigError(message);
    }),
    observability: toObservabilitySettings(values, (message) => {
      throw new ConfigError(message);
    }),
  };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_type') {
    return issue.message.replace(/^Invalid input: /, '').replace(/^Too (small|big): expected number to be/, 'must be');
  }
  return issue.message;
}

/** Never echo a database password into a log line. */
function redact(variable: string, value: string | undefined): string | undefined {
  if (variable !== 'DATABASE_URL' || value === undefined) return value;
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** Removes the password from a connection string, for logs and messages. */
export function describeDatabaseUrl(url: string): string {
  return redact('DATABASE_URL', url) ?? url;
}
