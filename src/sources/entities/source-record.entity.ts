import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { IdentityFields } from '../identity-fields';
import { HouseholdHint } from '../source-adapter';

/**
 * One person-record of one source, as last synced. Written only by the identity sync (in bulk SQL); the
 * identity index reads rows whose `matchStatus` is `pending` and sets it when it has processed them (see
 * docs/sources.md for the hand-over protocol).
 */
@Entity({ name: 'source_record' })
export class SourceRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'source_key', type: 'text' })
  sourceKey: string;

  @Column({ type: 'jsonb' })
  demographics: IdentityFields;

  @Column({ name: 'household_hints', type: 'jsonb' })
  householdHints: HouseholdHint[];

  @Column({ name: 'content_hash', type: 'text' })
  contentHash: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ name: 'seen_run_id', type: 'bigint', nullable: true })
  seenRunId: string | null;

  @Column({ name: 'source_updated_at', type: 'timestamptz', nullable: true })
  sourceUpdatedAt: Date | null;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt: Date;

  /** Increases on every change of content or deletion state (ordering, not a consumption watermark). */
  @Column({ name: 'change_seq', type: 'bigint' })
  changeSeq: string;

  /** `pending` after any change; other values belong to the identity index. */
  @Column({ name: 'match_status', type: 'text' })
  matchStatus: string;

  @Column({ type: 'boolean' })
  deleted: boolean;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
