import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/config';

/** How the hub reaches one source system, resolved from the sources configuration file. */
export interface SourceConnection {
  id: string;
  /** Which source module's adapter speaks to it (`housing`, `benefits`, `social-care`). */
  adapter: string;
  baseUrl: string;
  /** Request headers carrying the credentials (secrets already read from the environment). */
  authHeaders: Record<string, string>;
  timeoutMs: number;
  pageSize: number;
  retry: RetrySettings;
}

export interface RetrySettings {
  /** Attempts in all, the first included; 1 means no retry. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetrySettings = { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5000 };

const optionalText = z.string().min(1).optional();
const auth = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('api-key'),
      header: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/)
        .default('x-api-key'),
      key: optionalText,
      keyEnv: optionalText,
    })
    .strict(),
  z
    .object({
      type: z.literal('basic'),
      username: z.string().min(1),
      password: optionalText,
      passwordEnv: optionalText,
    })
    .strict(),
  z.object({ type: z.literal('bearer'), token: optionalText, tokenEnv: optionalText }).strict(),
]);

const source = z
  .object({
    adapter: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    baseUrl: z.string().refine(isAllowedBaseUrl, 'must be an https URL (plain http only for localhost or 127.0.0.1)'),
    auth,
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    pageSize: z.number().int().min(1).max(5000).default(200),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(defaultRetry.maxAttempts),
        initialDelayMs: z.number().int().min(0).max(60_000).default(defaultRetry.initialDelayMs),
        maxDelayMs: z.number().int().min(0).max(300_000).default(defaultRetry.maxDelayMs),
      })
      .strict()
      .default(defaultRetry),
  })
  .strict();

const file = z
  .object({ sources: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'source ids are lower-case words'), source) })
  .strict();

function isAllowedBaseUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Reads and validates the sources configuration file. Any problem throws a ConfigError whose one-line
 * message names the file, the source and the field, e.g.
 * `Invalid sources configuration (sources.json): sources.housing.timeoutMs must be >=100`.
 */
export function loadSourcesConfig(
  path: string,
  knownAdapters: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SourceConnection[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`Invalid sources configuration (${path}): ${why}`);
  }
  return parseSourcesConfig(raw, knownAdapters, env, path);
}

export function parseSourcesConfig(
  raw: unknown,
  knownAdapters: readonly string[],
  env: NodeJS.ProcessEnv,
  label = 'SOURCES_CONFIG',
): SourceConnection[] {
  const fail = (where: string, what: string) =>
    new ConfigError(`Invalid sources configuration (${label}): ${where} ${what}`);
  const parsed = file.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(issue.path.map(String).join('.') || 'file', describeIssue(issue));
  }
  const connections: SourceConnection[] = [];
  for (const [id, entry] of Object.entries(parsed.data.sources)) {
    if (!entry.enabled) continue;
    const adapter = entry.adapter ?? id;
    if (!knownAdapters.includes(adapter))
      throw fail(`sources.${id}.adapter`, `must be one of ${knownAdapters.join(', ')} (got "${adapter}")`);
    const read = (name: string, inline: unknown, variable: unknown): string => {
      if ((inline === undefined) === (variable === undefined))
        throw fail(`sources.${id}.auth`, `needs exactly one of "${name}" or "${name}Env"`);
      if (typeof inline === 'string') return inline;
      const value = env[variable as string];
      if (!value) throw fail(`sources.${id}.auth.${name}Env`, `names ${String(variable)}, which is not set`);
      return value;
    };
    const a = entry.auth as Record<string, unknown>;
    let authHeaders: Record<string, string>;
    if (a.type === 'api-key') authHeaders = { [String(a.header)]: read('key', a.key, a.keyEnv) };
    else if (a.type === 'basic') {
      const password = read('password', a.password, a.passwordEnv);
      authHeaders = { authorization: `Basic ${Buffer.from(`${String(a.username)}:${password}`).toString('base64')}` };
    } else authHeaders = { authorization: `Bearer ${read('token', a.token, a.tokenEnv)}` };
    if (entry.retry.maxDelayMs < entry.retry.initialDelayMs)
      throw fail(`sources.${id}.retry.maxDelayMs`, 'must not be below initialDelayMs');
    connections.push({
      id,
      adapter,
      baseUrl: entry.baseUrl.replace(/\/+$/, ''),
      authHeaders,
      timeoutMs: entry.timeoutMs,
      pageSize: entry.pageSize,
      retry: entry.retry,
    });
  }
  if (connections.length === 0) throw fail('sources', 'must enable at least one source');
  return connections;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `has unknown field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union') return 'type must be one of api-key, basic, bearer';
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  return issue.message.replace(/^Invalid input: /, '').replace(/^Too (small|big): expected number to be /, 'must be ');
}
