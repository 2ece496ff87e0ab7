import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { PrometheusHubMetrics, withTimeout } from './prometheus-metrics';

interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

interface DatabaseState {
  head_seq: string | null;
  checkpoint_seq: string | null;
  checkpoint_age: number | null;
  pending_records: number;
  pending_reviews: number;
  sources: { source: string; status: string; last_success: number | null }[];
}

const syncStatuses = ['running', 'failed', 'idle'] as const;
/** A scrape does not wait longer than this for the database's answer. */
const STATE_READ_TIMEOUT_MS = 3000;

/**
 * What every instance sees alike, read from PostgreSQL at scrape time (one query for all the gauges of
 * a scrape): the audit chain's head and newest signed checkpoint, the sync state of each source, and the
 * person index's backlog. And this instance's connection pool, from the pool's own counters.
 * If the read fails the gauges keep their last values and `hub_metrics_collect_errors_total` counts it.
 */
export function registerDatabaseGauges(metrics: PrometheusHubMetrics, dataSource: DataSource): void {
  // prom-client asks every gauge of a scrape in one go: they share the read in flight, and the next scrape reads again.
  let inFlight: Promise<DatabaseState> | undefined;
  const state = (): Promise<DatabaseState> =>
    (inFlight ??= withTimeout(readState(dataSource), STATE_READ_TIMEOUT_MS).finally(() => {
      inFlight = undefined;
    }));
  const fromState = (name: string, help: string, labelNames: string[], set: (gauge: Gauge, s: DatabaseState) => void) =>
    metrics.gauge(name, help, labelNames, async (gauge) => {
      let read: DatabaseState;
      try {
        read = await state();
      } catch {
        // Counted once per failed read, not once per gauge that waited for it.
        if (gauge === first) metrics.collectErrors.inc({ part: 'database-state' });
        return;
      }
      set(gauge, read);
    });

  const first = fromState(
    'hub_audit_chain_head_seq',
    'Sequence number of the newest audit event (the chain head)',
    [],
    (g, s) => g.set(Number(s.head_seq ?? 0)),
  );
  fromState(
    'hub_audit_checkpoint_seq',
    'Sequence number the newest signed audit checkpoint covers (0: none yet)',
    [],
    (g, s) => g.set(Number(s.checkpoint_seq ?? 0)),
  );
  fromState('hub_audit_checkpoint_age_seconds', 'Age of the newest signed audit checkpoint (0: none yet)', [], (g, s) =>
    g.set(s.checkpoint_age ?? 0),
  );
  fromState('hub_matching_pending_records', 'Source records waiting to be matched into the person index', [], (g, s) =>
    g.set(s.pending_records),
  );
  fromState('hub_matching_pending_reviews', 'Record pairs waiting for a data steward', [], (g, s) =>
    g.set(s.pending_reviews),
  );
  fromState(
    'hub_sync_last_success_timestamp_seconds',
    "Unix time of each source's last complete sync",
    ['source'],
    (g, s) => {
      g.reset();
      for (const row of s.sources) if (row.last_success !== null) g.set({ source: row.source }, row.last_success);
    },
  );
  fromState(
    'hub_sync_status',
    "Each source's sync state: 1 for its current status (running, failed, idle), 0 for the others",
    ['source', 'status'],
    (g, s) => {
      g.reset();
      for (const row of s.sources)
        for (const status of syncStatuses) g.set({ source: row.source, status }, row.status === status ? 1 : 0);
    },
  );

  const pool = () => poolOf(dataSource);
  metrics.gauge(
    'hub_db_pool_connections',
    "This instance's database connections, by state (busy, idle)",
    ['state'],
    (g) => {
      const p = pool();
      if (!p) return;
      g.set({ state: 'busy' }, p.totalCount - p.idleCount);
      g.set({ state: 'idle' }, p.idleCount);
    },
  );
  metrics.gauge('hub_db_pool_waiting', 'Queries of this instance waiting for a free database connection', [], (g) => {
    g.set(pool()?.waitingCount ?? 0);
  });
  metrics.gauge('hub_db_pool_max', "The size of this instance's connection pool", [], (g) => {
    g.set(pool()?.options?.max ?? 0);
  });
}

async function readState(dataSource: DataSource): Promise<DatabaseState> {
  // Each part uses an index (the chain head's row, audit_checkpoint by seq, the partial indexes on pending
  // records and reviews); the sources are a handful of rows.
  const [row]: DatabaseState[] = await dataSource.query(`
    select (select seq from audit_chain_head where id = 1)::text as head_seq,
           c.seq::text as checkpoint_seq, extract(epoch from now() - c.created_at)::float8 as checkpoint_age,
           (select count(*)::int from source_record where match_status = 'pending') as pending_records,
           (select count(*)::int from match_review where status = 'pending') as pending_reviews,
           (select coalesce(json_agg(json_build_object('source', source, 'status', status,
                     'last_success', extract(epoch from last_success_at)::float8) order by source), '[]')
              from source_sync_state) as sources
      from (select 1) one left join lateral (select seq, created_at from audit_checkpoint order by seq desc limit 1) c on true`);
  return row;
}

/** TypeORM's PostgreSQL driver keeps its pg Pool as `master`. */
function poolOf(dataSource: DataSource): PoolStats | undefined {
  if (!dataSource.isInitialized) return undefined;
  const pool = (dataSource.driver as unknown as { master?: PoolStats }).master;
  return pool && typeof pool.totalCount === 'number' ? pool : undefined;
}
