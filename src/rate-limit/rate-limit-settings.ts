import { isIP } from 'node:net';
import { z } from 'zod';
import { defineSettings } from '../config/config';

/** Budgets and the audit of refusals (see docs/configuration.md). */
export interface RateLimitSettings {
  /** Requests per minute per verified client, shared across instances; 0 turns the limit off. */
  perMinute: number;
  /** Failed sign-ins per client address per window answered 401 and audited one by one; beyond, 429 and counted. */
  authFailuresPerWindow: number;
  /** Other refusals of one client (no purpose, over its budget) audited one by one per window; beyond, counted. */
  refusalsAuditedPerWindow: number;
  /** The window of the two budgets above, and of the aggregated audit events. */
  windowSeconds: number;
}

/**
 * Express's `trust proxy`: which hops may name the client's address in `X-Forwarded-For`. `false` (the
 * default) takes the socket's address; a number trusts that many hops; a list trusts those addresses,
 * subnets (CIDR) or Express's names (`loopback`, `linklocal`, `uniquelocal`). Never "trust everything":
 * then any client picks its own address and walks past every per-address budget.
 */
export type TrustProxy = false | number | string[];

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function proxyEntry(entry: string): boolean {
  if (proxyNames.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const rateLimitEnvSchema = {
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  AUTH_FAILURES_PER_WINDOW: z.coerce.number().int().min(1).max(1000).default(30),
  REFUSALS_AUDITED_PER_WINDOW: z.coerce.number().int().min(1).max(1000).default(10),
  REFUSAL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value): TrustProxy | undefined => {
      const trimmed = value.trim();
      if (trimmed === 'false') return false;
      if (/^\d{1,2}$/.test(trimmed)) return Number(trimmed) === 0 ? false : Number(trimmed);
      const entries = trimmed
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      return entries.length > 0 && entries.every(proxyEntry) ? entries : undefined;
    })
    .refine(
      (value) => value !== undefined,
      'must be false, a number of proxy hops, or a comma-separated list of proxy addresses, subnets (CIDR) or loopback, linklocal, uniquelocal (never true)',
    ),
};

type RateLimitEnv = z.output<z.ZodObject<typeof rateLimitEnvSchema>>;

export function toRateLimitSettings(values: RateLimitEnv): RateLimitSettings {
  return {
    perMinute: values.RATE_LIMIT_PER_MINUTE,
    authFailuresPerWindow: values.AUTH_FAILURES_PER_WINDOW,
    refusalsAuditedPerWindow: values.REFUSALS_AUDITED_PER_WINDOW,
    windowSeconds: values.REFUSAL_WINDOW_SECONDS,
  };
}

export function toTrustProxy(values: RateLimitEnv): TrustProxy {
  return values.TRUST_PROXY as TrustProxy;
}

declare module '../config/config' {
  interface AppConfig {
    /** Request budgets per client and per address, and how their refusals are audited. */
    rateLimit: RateLimitSettings;
    /** Express `trust proxy`: whose `X-Forwarded-For` names the client's address. */
    trustProxy: TrustProxy;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const rateLimitSettings = defineSettings(rateLimitEnvSchema, (values) => ({
  rateLimit: toRateLimitSettings(values),
  trustProxy: toTrustProxy(values),
}));
