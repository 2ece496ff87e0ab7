import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../engine/principal';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { RetentionRule } from './audit-config';
import { AuditService } from './audit.service';

export interface PurgeResult {
  /** The `audit.purge` event that records this purge; every erased event points to it. */
  purgeSeq: string;
  /** The signed checkpoint written first, fixing the chain as it was before anything was erased. */
  checkpointSeq: string;
  erased: number;
  rules: RetentionRule[];
}

export interface RetentionPreview {
  rules: RetentionRule[];
  due: { match: string; days: number; events: number }[];
}

/** Who runs a purge from the command line: the operator, acting for the hub. */
export const SYSTEM_ACTOR: Principal = { subject: 'system:cli', organisation: 'hub', roles: [] };

/**
 * Retention per event class (AUDIT_RETENTION). A purge never deletes: it erases the content of events past
 * their retention and keeps their sequence number, time, operation and hashes, so the chain still verifies
 * end to end. Only the database function audit_purge() can make that one kind of change.
 */
@Injectable()
export class AuditRetentionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly checkpoints: AuditCheckpointService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** How many events each rule would erase now, without erasing anything. */
  async preview(): Promise<RetentionPreview> {
    const rules = this.config.audit.retention;
    const rows: { match: string; days: number; events: string }[] = await this.dataSource.query(
      `with rules as (select r.match, r.days from jsonb_to_recordset($1::jsonb) as r(match text, days integer))
       select rule.match, rule.days, count(*) as events
       from audit_event e
       cross join lateral (
         select r.match, r.days from rules r
         where r.match = e.operation or r.match = '*' or (right(r.match, 1) = '.' and starts_with(e.operation, r.match))
         order by (r.match = '*'), length(r.match) desc limit 1) rule
       where e.purged_by is null and e.occurred_at < now() - make_interval(days => rule.days)
       group by 1, 2 order by 1`,
      [JSON.stringify(rules)],
    );
    return { rules, due: rows.map((row) => ({ match: row.match, days: row.days, events: Number(row.events) })) };
  }

  async purge(actor: Principal = SYSTEM_ACTOR): Promise<PurgeResult> {
    const rules = this.config.audit.retention;
    // First fix the chain as it stands with a signature, so that what the purge leaves can be shown to be
    // the same chain.
    const checkpoint = await this.checkpoints.checkpoint('purge');
    const [head]: { seq: string }[] = await this.dataSource.query('select seq from audit_chain_head');
    const checkpointSeq = checkpoint?.seq ?? head.seq;
    return this.dataSource.transaction(async (manager) => {
      const purge = await this.audit.record(
        {
          actor,
          operation: 'audit.purge',
          decision: 'change',
          reasons: ['retention'],
          detail: { rules, checkpointSeq: Number(checkpointSeq) },
        },
        manager,
      );
      const [{ erased }]: { erased: string }[] = await manager.query('select audit_purge($1::jsonb, $2) as erased', [
        JSON.stringify(rules),
        purge.seq,
      ]);
      await this.audit.record(
        {
          actor,
          operation: 'audit.purge-completed',
          decision: 'change',
          detail: { purgeSeq: Number(purge.seq), erased: Number(erased) },
        },
        manager,
      );
      return { purgeSeq: purge.seq, checkpointSeq: String(checkpointSeq), erased: Number(erased), rules };
    });
  }
}
