import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { failureCode } from '../database/query-logger';
import { AuditService } from './audit.service';

/**
 * The audit trail's part of readiness. Nothing is released without its audit event (fail closed), so a hub
 * that cannot append serves no personal data, and its readiness says why:
 * - down when this database role may not call `audit_append` (a grant missing: docs/data-protection.md);
 * - degraded (still 200) when the last append failed and none has succeeded since (a full disk, a broken
 *   partition): callers get AUDIT_UNAVAILABLE, and traffic is not turned away on one failure, which
 *   would leave no request to show that the trail is back;
 * - degraded when events were written but no signed checkpoint for three checkpoint intervals: the
 *   signing key or the checkpoint job is failing, and recent history is fixed by nothing signed.
 * One small query per probe: the privilege, the head and the newest checkpoint (by its index).
 */
@Injectable()
export class AuditHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key = 'audit') {
    const indicator = this.indicators.check(key);
    let state: { can_append: boolean; head_seq: string; checkpoint_seq: string | null; checkpoint_age: number | null };
    try {
      [state] = await this.dataSource.query(`
        select has_function_privilege('audit_append(jsonb)', 'execute') as can_append,
               (select seq from audit_chain_head where id = 1) as head_seq,
               c.seq as checkpoint_seq, extract(epoch from now() - c.created_at)::float8 as checkpoint_age
          from (select 1) one left join lateral (select seq, created_at from audit_checkpoint order by seq desc limit 1) c on true`);
    } catch (error) {
      // The database check beside this one says why; the message stays out of this public answer.
      return indicator.down({ problem: `the audit trail could not be read (${failureCode(error)})` });
    }
    const headSeq = Number(state.head_seq);
    const lastCheckpoint =
      state.checkpoint_seq === null
        ? null
        : { seq: Number(state.checkpoint_seq), ageSeconds: Math.round(state.checkpoint_age ?? 0) };
    const data = { headSeq, lastCheckpoint };
    if (!state.can_append)
      return indicator.down({
        ...data,
        problem: 'this database role may not append to the audit trail (audit_append)',
      });
    const failing = this.audit.failingSince();
    if (failing)
      return indicator.degraded({
        ...data,
        problem: `the last audit event could not be written (${failing.code}; the reason is in the hub's log)`,
        since: failing.at.toISOString(),
      });
    const interval = this.config.audit.checkpointIntervalSeconds;
    if (interval > 0 && lastCheckpoint && headSeq > lastCheckpoint.seq && lastCheckpoint.ageSeconds > 3 * interval) {
      return indicator.degraded({
        ...data,
        problem: `no signed checkpoint for ${lastCheckpoint.ageSeconds} s (AUDIT_CHECKPOINT_INTERVAL is ${interval} s)`,
      });
    }
    return indicator.up(data);
  }
}
