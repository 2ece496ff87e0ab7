import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Where each source's sync stands: the last committed cursor of the load in progress, or the point to take changes from. */
@Entity({ name: 'source_sync_state' })
export class SourceSyncStateEntity {
  @PrimaryColumn({ type: 'text' })
  source: string;

  @Column({ type: 'text', nullable: true })
  cursor: string | null;

  @Column({ type: 'text' })
  mode: 'full' | 'incremental';

  @Column({ name: 'run_id', type: 'bigint' })
  runId: string;

  @Column({ type: 'text' })
  status: 'running' | 'failed' | 'idle';

  @Column({ name: 'full_load_completed_at', type: 'timestamptz', nullable: true })
  fullLoadCompletedAt: Date | null;

  @Column({ name: 'last_success_at', type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One sync of one source, from start (or resumption) to its end. */
@Entity({ name: 'source_sync_run' })
export class SourceSyncRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  mode: 'full' | 'incremental';

  @Column({ type: 'text' })
  status: 'running' | 'complete' | 'failed' | 'abandoned';

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'jsonb' })
  counts: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
