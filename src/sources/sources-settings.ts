import { z } from 'zod';
import { defineSettings } from '../config/config';

/** How the hub gets its source systems and keeps their identities in step (see docs/sources.md). */
export interface SourcesSettings {
  /** Start the three sandbox source systems in process (no SOURCES_CONFIG, development). */
  sandbox: boolean;
  /** Households in the generated sandbox borough (first start only; the borough is kept under HUB_DATA_DIR). */
  sandboxHouseholds: number;
  sandboxSeed: string;
  /** Cron expression for the scheduled sync (pg-boss, shared by all instances); undefined: no schedule. */
  syncSchedule?: string;
  /** Sync all sources in the background once the hub has started. */
  syncOnStart: boolean;
  /** Days a quarantined value (`raw`) is kept after its problem was last seen; resolved rows go after as long. */
  quarantineRetentionDays: number;
  /**
   * Seconds a sync job may stay active before the job queue takes its worker for dead (a hub killed mid-sync)
   * and gives the job to any instance again. A sync still running then keeps its source's lock, so the
   * repeat skips that source: a short value costs nothing but a log line.
   */
  syncJobTimeoutSeconds: number;
  /** Seconds between the job queue's maintenance rounds, which find the jobs past their timeout. */
  jobQueueMaintenanceSeconds: number;
  /**
   * Whether this process runs background work (the schedule worker, the sync on start). The CLI turns it
   * off: a one-off command must not start workers.
   */
  background: boolean;
}

const cron = /^(\S+\s+){4,5}\S+$/;

/** The sources settings' environment variables, merged into the hub's one configuration schema. */
export const sourcesEnvSchema = {
  SANDBOX_SOURCES: z.enum(['auto', 'on', 'off']).default('auto'),
  SANDBOX_HOUSEHOLDS: z.coerce.number().int().min(1).max(200_000).default(2000),
  SANDBOX_SEED: z.string().min(1).max(100).default('borough'),
  SYNC_SCHEDULE: z
    .string()
    .refine(
      (value) => value === 'auto' || value === 'off' || cron.test(value.trim()),
      'must be a cron expression (e.g. "*/15 * * * *"), "auto" or "off"',
    )
    .default('auto'),
  SYNC_ON_START: z.enum(['auto', 'true', 'false']).default('auto'),
  QUARANTINE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  SYNC_JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  JOB_QUEUE_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
};

interface Values {
  NODE_ENV: string;
  SOURCES_CONFIG?: string;
  SANDBOX_SOURCES: 'auto' | 'on' | 'off';
  SANDBOX_HOUSEHOLDS: number;
  SANDBOX_SEED: string;
  SYNC_SCHEDULE: string;
  SYNC_ON_START: 'auto' | 'true' | 'false';
  QUARANTINE_RETENTION_DAYS: number;
  SYNC_JOB_TIMEOUT_SECONDS: number;
  JOB_QUEUE_MAINTENANCE_SECONDS: number;
}

/** Tests (NODE_ENV=test) start no sandbox, schedule nothing and sync nothing unless asked to. */
export function toSourcesSettings(values: Values, fail: (message: string) => never): SourcesSettings {
  const test = values.NODE_ENV === 'test';
  if (values.SANDBOX_SOURCES === 'on' && values.SOURCES_CONFIG) {
    fail(
      'Invalid configuration: SANDBOX_SOURCES=on cannot be combined with SOURCES_CONFIG (the sandboxes replace the configured sources)',
    );
  }
  const sandbox =
    values.SANDBOX_SOURCES === 'on' || (values.SANDBOX_SOURCES === 'auto' && !values.SOURCES_CONFIG && !test);
  const schedule =
    values.SYNC_SCHEDULE === 'auto'
      ? test
        ? undefined
        : '*/15 * * * *'
      : values.SYNC_SCHEDULE === 'off'
        ? undefined
        : values.SYNC_SCHEDULE.trim();
  return {
    sandbox,
    sandboxHouseholds: values.SANDBOX_HOUSEHOLDS,
    sandboxSeed: values.SANDBOX_SEED,
    syncSchedule: schedule,
    syncOnStart: values.SYNC_ON_START === 'auto' ? !test : values.SYNC_ON_START === 'true',
    quarantineRetentionDays: values.QUARANTINE_RETENTION_DAYS,
    syncJobTimeoutSeconds: values.SYNC_JOB_TIMEOUT_SECONDS,
    jobQueueMaintenanceSeconds: values.JOB_QUEUE_MAINTENANCE_SECONDS,
    background: true,
  };
}

declare module '../config/config' {
  interface AppConfig {
    /** Source systems: sandboxes, sync schedule (see docs/sources.md). */
    sources: SourcesSettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const sourcesSettings = defineSettings(sourcesEnvSchema, (values, fail) => ({
  sources: toSourcesSettings(values, fail),
}));
