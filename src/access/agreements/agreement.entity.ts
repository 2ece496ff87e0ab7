import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../../engine/principal';
import type { AgreementStatus, FieldRef, LawfulBasis } from '../policy/policy.types';

/** One immutable version of a data-sharing agreement; only its status moves (see the migration's trigger). */
@Entity('data_sharing_agreement')
export class AgreementEntity {
  @PrimaryColumn('text')
  id: string;

  @PrimaryColumn('integer')
  version: number;

  @Column('text')
  title: string;

  @Column('text', { array: true })
  parties: string[];

  @Column('text', { array: true })
  purposes: string[];

  @Column('text', { name: 'lawful_basis' })
  lawfulBasis: LawfulBasis;

  @Column('text', { name: 'special_category_article9', nullable: true })
  specialCategoryArticle9: string | null;

  @Column('integer', { name: 'special_category_schedule1_paragraph', nullable: true })
  specialCategorySchedule1Paragraph: number | null;

  /** Purpose code → the fields released for it. */
  @Column('jsonb')
  releases: Record<string, FieldRef[]>;

  @Column('text', { array: true })
  roles: Role[];

  @Column('boolean', { name: 'case_reference_required' })
  caseReferenceRequired: boolean;

  /** Persons a day one client is expected to be shown; null: the agreement states none. */
  @Column('integer', { name: 'expected_daily_volume', nullable: true })
  expectedDailyVolume: number | null;

  @Column('boolean', { name: 'refuse_above_expected_volume', default: false })
  refuseAboveExpectedVolume: boolean;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom: Date;

  @Column('timestamptz', { name: 'valid_to', nullable: true })
  validTo: Date | null;

  @Column('date', { name: 'review_date' })
  reviewDate: string;

  @Column('text')
  status: AgreementStatus;

  @Column('timestamptz', { name: 'status_changed_at', nullable: true })
  statusChangedAt: Date | null;

  @Column('text', { name: 'status_changed_by', nullable: true })
  statusChangedBy: string | null;

  @Column('text', { name: 'status_reason', nullable: true })
  statusReason: string | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
