import { z } from 'zod';
import { defineSettings } from '../config/config';

/** How long one class of audit event is kept: `match` is an operation, a prefix ending in `.`, or `*`. */
export interface RetentionRule {
  match: string;
  days: number;
}

export interface AuditConfig {
  /** Longest match wins; always contains `*`. */
  retention: RetentionRule[];
  /** Seconds between signed checkpoints of the chain head; 0 turns the timer off. */
  checkpointIntervalSeconds: number;
  /** Working hours for the out-of-hours anomaly check, in `timezone`. */
  officeHours: { startMinute: number; endMinute: number; days: number[] };
  timezone: string;
  /** Distinct persons one user may see out of hours in a day before it is reported as bulk access. */
  bulkThreshold: number;
  /**
   * Start in production even when the database role could rewrite the trail (audit-role-check.ts); the
   * start is then logged and audited. For a deliberate, temporary exception only.
   */
  allowPrivilegedRole: boolean;
}

/** Six years after the event, the usual limitation period, unless a class says otherwise. */
export const DEFAULT_RETENTION_DAYS = 2190;

const matchPattern = /^(\*|[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.?)$/;

const retention = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"*":2190,"auth.":365}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(matchPattern, 'keys must be an operation, a prefix ending in ".", or "*"'),
      z.number().int().min(1).max(36500),
    ),
  )
  .transform((rules) =>
    Object.entries({ '*': DEFAULT_RETENTION_DAYS, ...rules }).map(([match, days]) => ({ match, days })),
  );

const hhmm = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

/** The audit settings' environment variables, merged into the hub's one configuration schema. */
export const auditEnvSchema = {
  AUDIT_RETENTION: retention,
  AUDIT_CHECKPOINT_INTERVAL: z.coerce.number().int().min(0).max(86_400).default(300),
  AUDIT_OFFICE_HOURS: z.string().regex(hhmm, 'must be HH:MM-HH:MM, e.g. 08:00-18:00').default('08:00-18:00'),
  AUDIT_OFFICE_DAYS: z
    .string()
    .regex(/^[1-7]-[1-7]$|^[1-7](,[1-7])*$/, 'must be ISO weekdays, e.g. 1-5 or 1,2,3,4,5')
    .default('1-5'),
  AUDIT_TIMEZONE: z
    .string()
    .refine((zone) => {
      try {
        return new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone.length > 0;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone, e.g. Europe/London')
    .default('Europe/London'),
  AUDIT_BULK_THRESHOLD: z.coerce.number().int().min(1).default(25),
  AUDIT_ALLOW_PRIVILEGED_ROLE: z.enum(['true', 'false']).default('false'),
};

type AuditEnv = { [K in keyof typeof auditEnvSchema]: z.output<(typeof auditEnvSchema)[K]> };

export function toAuditConfig(values: AuditEnv): AuditConfig {
  const [, sh, sm, eh, em] = hhmm.exec(values.AUDIT_OFFICE_HOURS) ?? [];
  return {
    retention: values.AUDIT_RETENTION,
    checkpointIntervalSeconds: values.AUDIT_CHECKPOINT_INTERVAL,
    officeHours: {
      startMinute: Number(sh) * 60 + Number(sm),
      endMinute: Number(eh) * 60 + Number(em),
      days: weekdays(values.AUDIT_OFFICE_DAYS),
    },
    timezone: values.AUDIT_TIMEZONE,
    bulkThreshold: values.AUDIT_BULK_THRESHOLD,
    allowPrivilegedRole: values.AUDIT_ALLOW_PRIVILEGED_ROLE === 'true',
  };
}

function weekdays(text: string): number[] {
  if (text.includes('-')) {
    const [from, to] = text.split('-').map(Number);
    return Array.from({ length: 7 }, (_, i) => i + 1).filter((day) =>
      from <= to ? day >= from && day <= to : day >= from || day <= to,
    );
  }
  return [...new Set(text.split(',').map(Number))].sort();
}

/** The rule that applies to an operation: the longest match, `*` last. Mirrors audit_purge() in SQL. */
export function retentionFor(operation: string, rules: RetentionRule[]): RetentionRule {
  const candidates = rules.filter(
    (rule) =>
      rule.match === operation || rule.match === '*' || (rule.match.endsWith('.') && operation.startsWith(rule.match)),
  );
  candidates.sort((a, b) => Number(a.match === '*') - Number(b.match === '*') || b.match.length - a.match.length);
  return candidates[0] ?? { match: '*', days: DEFAULT_RETENTION_DAYS };
}

declare module '../config/config' {
  interface AppConfig {
    /** Audit trail: retention, checkpoints, anomaly report (see docs/data-protection.md). */
    audit: AuditConfig;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const auditSettings = defineSettings(auditEnvSchema, (values) => ({ audit: toAuditConfig(values) }));
