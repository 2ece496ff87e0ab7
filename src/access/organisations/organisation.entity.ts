import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OrganisationKind = 'council' | 'nhs' | 'police' | 'housing-association' | 'voluntary' | 'other';

@Entity('organisation')
export class OrganisationEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: OrganisationKind;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
