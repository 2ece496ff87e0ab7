import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The purposes catalogue: reference data, created by migration. */
@Entity('purpose')
export class PurposeEntity {
  @PrimaryColumn('text')
  code: string;

  @Column('text')
  name: string;

  @Column('text')
  description: string;

  @Column('boolean')
  active: boolean;
}
