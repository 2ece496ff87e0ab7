import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A case held by a team (or one user in it) for a person or a household, over a period. */
@Entity('case_assignment')
export class CaseAssignmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'subject_kind' })
  subjectKind: 'person' | 'household';

  @Column('uuid', { name: 'subject_id' })
  subjectId: string;

  /** The organisation the team (or user) belongs to. */
  @Column('text')
  organisation: string;

  @Column('text')
  team: string;

  @Column('text', { name: 'user_subject', nullable: true })
  userSubject: string | null;

  @Column('timestamptz', { name: 'valid_from' })
  validFrom: Date;

  @Column('timestamptz', { name: 'valid_to', nullable: true })
  validTo: Date | null;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('text', { name: 'ended_by', nullable: true })
  endedBy: string | null;
}
