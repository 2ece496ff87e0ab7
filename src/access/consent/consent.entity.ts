import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ConsentStatus } from '../policy/policy.types';

/** A consent event: given, refused or withdrawn, for a scope. Never updated; the latest covering record wins. */
@Entity('consent')
export class ConsentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'person_id' })
  personId: string;

  @Column('text')
  status: ConsentStatus;

  @Column('text', { nullable: true })
  purpose: string | null;

  @Column('text', { name: 'recipient_organisation', nullable: true })
  recipientOrganisation: string | null;

  @Column('text', { nullable: true })
  source: string | null;

  @Column('text')
  evidence: string;

  @Column('text', { name: 'recorded_by' })
  recordedBy: string;

  @Column('timestamptz', { name: 'recorded_at', default: () => 'now()' })
  recordedAt: Date;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom: Date;

  @Column('timestamptz', { name: 'valid_to', nullable: true })
  validTo: Date | null;
}
