import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A team of an organisation that works in the service of one source system (the council's children's
 * social care team, for `social-care`). What the team's cases say is derived from that source: where the
 * source holds special-category data, so does the team's name.
 */
@Entity('service_team')
export class ServiceTeamEntity {
  @PrimaryColumn('text')
  organisation: string;

  @PrimaryColumn('text')
  team: string;

  /** The source id (`social-care`, `housing`...), as in agreements and SOURCES_CONFIG. */
  @Column('text')
  source: string;

  @Column('text', { name: 'registered_by' })
  registeredBy: string;

  @Column('timestamptz', { name: 'registered_at', default: () => 'now()' })
  registeredAt: Date;
}
