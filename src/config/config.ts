import { resolve } from 'node:path';
import { z } from 'zod';
/**
 * The hub's settings, validated once at start (see docs/configuration.md). This folder holds only the
 * hub's own (port, database, data directory, GraphQL limits); each domain adds its own section to this
 * interface (a `declare module` augmentation beside its settings, e.g. auth/auth-settings.ts) and registers
 * its variables with `defineSettings`. config imports nothing from the domains: the list of sections is
 * made where the hub is assembled (src/hub-config.ts).
 */
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
}

const postgresUrl = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL');

const coreEnvSchema = {
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
};

/** The hub's own variables, as parsed: every section's `build` may read them too (e.g. NODE_ENV). */
export type CoreEnv = z.output<z.ZodObject<typeof coreEnvSchema>>;

/**
 * A domain's settings: its environment variables (zod, with their defaults and limits) and how they
 * become its part of AppConfig. `fail` throws a ConfigError with a one-line message.
 */
export interface SettingsSection<Shape extends z.ZodRawShape = z.ZodRawShape> {
  env: Shape;
  build(values: z.output<z.ZodObject<Shape>> & CoreEnv, fail: (message: string) => never): Partial<AppConfig>;
}

/** Declares a domain's settings section (see SettingsSection). */
export function defineSettings<Shape extends z.ZodRawShape>(
  env: Shape,
  build: SettingsSection<Shape>['build'],
): SettingsSection<Shape> {
  return { env, build };
}

/** Thrown for a bad setting; its message is one line naming the variable, fit to print as it is. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * The environment validated into AppConfig: the hub's own variables, then each section's, in the order
 * given (the first bad variable in that order is the one reported).
 */
export function loadEnvironment(env: NodeJS.ProcessEnv, sections: readonly SettingsSection[]): AppConfig {
  // An empty variable means "not set", as a shell user expects from `DATABASE_URL= npm start`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const schema = z.object(Object.assign({}, coreEnvSchema, ...sections.map((section) => section.env)));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const shown =
      present[variable] === undefined ? '' : ` (got ${JSON.stringify(redact(variable, present[variable]))})`;
    throw new ConfigError(`Invalid configuration: ${variable} ${describe(issue)}${shown}`);
  }
  const values = parsed.data as CoreEnv & Record<string, unknown>;
  const fail = (message: string): never => {
    throw new ConfigError(message);
  };
  const core: AppConfig = {
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
  } as AppConfig;
  // Each section's build in order: the first that fails is the one reported.
  return Object.assign(core, ...sections.map((section) => section.build(values as never, fail)));
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
