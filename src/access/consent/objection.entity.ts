import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ObjectionKind } from '../policy/policy.types';

/** pending: recorded by staff, in force as a restriction until the DPO confirms or dismisses it. */
export type ObjectionReviewStatus = 'pending' | 'confirmed' | 'dismissed';

/** An objection (UK GDPR Art. 21) or restriction (Art. 18): stops processing in its scope until lifted. */
@Entity('objection')
export class ObjectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'person_id' })
  personId: string;

  @Column('text')
  kind: ObjectionKind;

  @Column('text', { nullable: true })
  purpose: string | null;

  @Column('text', { name: 'recipient_organisation', nullable: true })
  recipientOrganisation: string | null;

  @Column('text', { nullable: true })
  source: string | null;

  /** What the person asked for; `kind` is what is in force (a restriction while a staff record awaits review). */
  @Column('text', { name: 'requested_kind' })
  requestedKind: ObjectionKind;

  @Column('text')
  reason: string;

  /** SYSTEM:REFERENCE of the letter, form or call note; null only on records made before it was required. */
  @Column('text', { nullable: true })
  evidence: string | null;

  @Column('text', { name: 'recorded_by' })
  recordedBy: string;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt: Date;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom: Date;

  @Column('timestamptz', { name: 'lifted_at', nullable: true })
  liftedAt: Date | null;

  @Column('text', { name: 'lifted_by', nullable: true })
  liftedBy: string | null;

  @Column('text', { name: 'lifted_reason', nullable: true })
  liftedReason: string | null;

  /** Null when no review is needed: recorded by the DPO (or before staff records were reviewed). */
  @Column('text', { name: 'review_status', nullable: true })
  reviewStatus: ObjectionReviewStatus | null;

  @Column('text', { name: 'reviewed_by', nullable: true })
  reviewedBy: string | null;

  @Column('timestamptz', { name: 'reviewed_at', nullable: true })
  reviewedAt: Date | null;

  @Column('text', { name: 'review_note', nullable: true })
  reviewNote: string | null;
}
