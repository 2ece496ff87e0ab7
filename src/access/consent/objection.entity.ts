import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ObjectionKind } from '../policy/policy.types';

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

  @Column('text')
  reason: string;

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
}
