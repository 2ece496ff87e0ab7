import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import type { Principal } from '../../engine/principal';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';

export interface QuarantinePurgeResult {
  /** Rows whose `raw` was cleared (and `raw_purged_at` set) by this run. */
  purgedRaw: number;
  /** Resolved rows deleted because they were resolved longer ago than the retention. */
  deletedResolved: number;
  retentionDays: number;
}

/** Who runs the daily purge from the job queue. */
export const SCHEDULER_ACTOR: Principal = { subject: 'system:scheduler', organisation: 'hub', roles: [] };

/** What stands in for a quarantined value in a reason once the value is purged. */
export const PURGED_VALUE = '(purged)';

/**
 * Retention of the quarantine (QUARANTINE_RETENTION_DAYS). `raw` is personal data as a source sent it; it is
 * kept while the data steward may need it, then cleared, leaving source, key, field, reason code, fingerprint
 * and dates, so the row still says what was wrong. Resolved rows go altogether once resolved for as long.
 * The purge and its audit event commit together: an unaudited purge does not happen.
 */
@Injectable()
export class QuarantinePurgeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async purge(actor: Principal): Promise<QuarantinePurgeResult> {
    const retentionDays = this.config.sources.quarantineRetentionDays;
    return this.dataSource.transaction(async (em) => {
      const [, deletedResolved] = (await em.query(
        'delete from quarantine where resolved_at < now() - make_interval(days => $1)',
        [retentionDays],
      )) as [unknown, number];
      // A field's reason quotes the bad value (`dateOfBirth: "31/02/1980" is not a date`): it goes with `raw`.
      // A page keeps its cursor, which is the source's position, not its data, and is how a later read of
      // that page resolves the row.
      const [, purgedRaw] = (await em.query(
        `update quarantine set
           raw = case when scope = 'page' then jsonb_build_object('cursor', raw -> 'cursor') else null end,
           reason = case when scope = 'field' and field is not null and jsonb_typeof(raw) = 'object' and raw ? field
                         then replace(reason, (raw -> field)::text, $2) else reason end,
           raw_purged_at = now()
         where raw is not null and raw_purged_at is null and last_seen_at < now() - make_interval(days => $1)`,
        [retentionDays, PURGED_VALUE],
      )) as [unknown, number];
      await this.audit.record(
        {
          actor,
          operation: 'quarantine.purge',
          decision: 'change',
          reasons: ['retention'],
          detail: { retentionDays, purgedRaw, deletedResolved },
        },
        em,
      );
      return { purgedRaw, deletedResolved, retentionDays };
    });
  }
}
