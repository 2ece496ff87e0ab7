import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type BreakGlassReviewStatus = 'pending' | 'justified' | 'not-justified';

/** Emergency, time-boxed access to one person without a case assignment; every grant is reviewed by the DPO. */
@Entity('break_glass')
export class BreakGlassEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'grantee_subject' })
  granteeSubject: string;

  @Column('text', { name: 'grantee_organisation' })
  granteeOrganisation: string;

  @Column('text', { name: 'grantee_team', nullable: true })
  granteeTeam: string | null;

  @Column('uuid', { name: 'person_id' })
  personId: string;

  @Column('text')
  purpose: string;

  @Column('text', { name: 'case_reference', nullable: true })
  caseReference: string | null;

  @Column('text')
  reason: string;

  @Column('timestamptz', { name: 'granted_at' })
  grantedAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('text', { name: 'review_status' })
  reviewStatus: BreakGlassReviewStatus;

  @Column('text', { name: 'reviewed_by', nullable: true })
  reviewedBy: string | null;

  @Column('timestamptz', { name: 'reviewed_at', nullable: true })
  reviewedAt: Date | null;

  @Column('text', { name: 'review_note', nullable: true })
  reviewNote: string | null;
}
