import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Something a source sent that the sync could not use as it was: a record, one field value, or a page. */
@Entity({ name: 'quarantine' })
export class QuarantineEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'source_key', type: 'text', nullable: true })
  sourceKey: string | null;

  @Column({ type: 'text' })
  scope: 'record' | 'field' | 'page';

  @Column({ type: 'text', nullable: true })
  field: string | null;

  @Column({ name: 'reason_code', type: 'text' })
  reasonCode: string;

  @Column({ type: 'text' })
  reason: string;

  /** As the source sent it (personal data: see the retention note in docs/sources.md). */
  @Column({ type: 'jsonb', nullable: true })
  raw: unknown;

  /** When the retention purge cleared `raw` (QUARANTINE_RETENTION_DAYS); null while the value is held. */
  @Column({ name: 'raw_purged_at', type: 'timestamptz', nullable: true })
  rawPurgedAt: Date | null;

  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ name: 'sync_run_id', type: 'bigint', nullable: true })
  syncRunId: string | null;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ type: 'integer' })
  occurrences: number;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;
}
