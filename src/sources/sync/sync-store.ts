import { EntityManager } from 'typeorm';
import { PreparedRecord, QuarantineItem } from './record-checks';

export type SyncMode = 'full' | 'incremental';

export interface SyncState {
  cursor: string | null;
  mode: SyncMode;
  runId: string;
  status: 'running' | 'failed' | 'idle';
  fullLoadCompletedAt: Date | null;
}

export interface PageCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  ignoredDeletes: number;
}

const recordColumns =
  'source_key text, demographics jsonb, household_hints jsonb, content_hash text, source_updated_at timestamptz';

/** The sync's SQL. Every function takes the transaction's manager: a page and its cursor commit together. */
export const syncStore = {
  async state(em: EntityManager, source: string): Promise<SyncState | undefined> {
    const rows: {
      cursor: string | null;
      mode: SyncMode;
      run_id: string;
      status: SyncState['status'];
      full_load_completed_at: Date | null;
    }[] = await em.query(
      'select cursor, mode, run_id, status, full_load_completed_at from source_sync_state where source = $1 for update',
      [source],
    );
    const row = rows[0];
    return (
      row && {
        cursor: row.cursor,
        mode: row.mode,
        runId: String(row.run_id),
        status: row.status,
        fullLoadCompletedAt: row.full_load_completed_at,
      }
    );
  },

  /** Opens a run and points the state at it; a full load starts from no cursor. */
  async startRun(em: EntityManager, source: string, mode: SyncMode, cursor: string | null): Promise<string> {
    const [{ id }]: { id: string }[] = await em.query(
      `insert into source_sync_run (source, mode, status) values ($1, $2, 'running') returning id`,
      [source, mode],
    );
    await em.query(
      `insert into source_sync_state (source, cursor, mode, run_id, status) values ($1, $2, $3, $4, 'running')
       on conflict (source) do update set cursor = excluded.cursor, mode = excluded.mode, run_id = excluded.run_id, status = 'running', updated_at = now()`,
      [source, cursor, mode, id],
    );
    return String(id);
  },

  async resumeRun(em: EntityManager, source: string, runId: string): Promise<Record<string, unknown>> {
    await em.query(`update source_sync_state set status = 'running', updated_at = now() where source = $1`, [source]);
    const rows: { counts: Record<string, unknown> }[] = await em.query(
      'select counts from source_sync_run where id = $1',
      [runId],
    );
    await em.query(`update source_sync_run set status = 'running', error = null where id = $1`, [runId]);
    return rows[0]?.counts ?? {};
  },

  async endRun(
    em: EntityManager,
    runId: string,
    status: 'complete' | 'failed' | 'abandoned',
    counts: object,
    error?: string,
  ): Promise<void> {
    await em.query(
      `update source_sync_run set status = $2, finished_at = now(), counts = $3, error = $4 where id = $1`,
      [runId, status, JSON.stringify(counts), error ?? null],
    );
  },

  async saveProgress(em: EntityManager, source: string, runId: string, cursor: string, counts: object): Promise<void> {
    await em.query(`update source_sync_state set cursor = $2, updated_at = now() where source = $1`, [source, cursor]);
    await em.query(`update source_sync_run set counts = $2 where id = $1`, [runId, JSON.stringify(counts)]);
  },

  async finishLoad(em: EntityManager, source: string, cursor: string, wasFull: boolean): Promise<void> {
    await em.query(
      `update source_sync_state set cursor = $2, mode = 'incremental', status = 'idle', last_success_at = now(), updated_at = now(),
         full_load_completed_at = case when $3 then now() else full_load_completed_at end
       where source = $1`,
      [source, cursor, wasFull],
    );
  },

  async markFailed(em: EntityManager, source: string, runId: string, counts: object, error: string): Promise<void> {
    await em.query(`update source_sync_state set status = 'failed', updated_at = now() where source = $1`, [source]);
    await em.query(`update source_sync_run set status = 'failed', counts = $2, error = $3 where id = $1`, [
      runId,
      JSON.stringify(counts),
      error,
    ]);
  },

  /**
   * Writes one page: new records inserted, changed ones updated (and un-deleted), tombstones applied,
   * unchanged ones left alone except, in a full load, the mark that they were seen (for the sweep).
   * Returns the counts and the records whose content was written (their field issues are quarantined).
   */
  async applyRecords(
    em: EntityManager,
    source: string,
    runId: string,
    mode: SyncMode,
    records: PreparedRecord[],
  ): Promise<{ counts: PageCounts; written: PreparedRecord[] }> {
    const counts: PageCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0, ignoredDeletes: 0 };
    const byKey = new Map(records.map((r) => [r.sourceKey, r]));
    const keys = [...byKey.keys()];
    const existing = new Map<string, { hash: string; deleted: boolean; seen: string | null }>();
    if (keys.length) {
      const rows: { source_key: string; content_hash: string; deleted: boolean; seen_run_id: string | null }[] =
        await em.query(
          'select source_key, content_hash, deleted, seen_run_id from source_record where source = $1 and source_key = any($2::text[])',
          [source, keys],
        );
      for (const row of rows)
        existing.set(row.source_key, {
          hash: row.content_hash,
          deleted: row.deleted,
          seen: row.seen_run_id === null ? null : String(row.seen_run_id),
        });
    }
    const inserts: PreparedRecord[] = [];
    const updates: PreparedRecord[] = [];
    const touches: string[] = [];
    const deletes: string[] = [];
    for (const record of byKey.values()) {
      const current = existing.get(record.sourceKey);
      if (record.deleted) {
        if (current && !current.deleted) deletes.push(record.sourceKey);
        else if (current) counts.unchanged += 1;
        else counts.ignoredDeletes += 1;
      } else if (!current) inserts.push(record);
      else if (current.hash !== record.contentHash || current.deleted) updates.push(record);
      else if (mode === 'full' && current.seen !== runId) touches.push(record.sourceKey);
      else counts.unchanged += 1;
    }
    if (inserts.length) {
      await em.query(
        `insert into source_record (source, source_key, demographics, household_hints, content_hash, source_updated_at, seen_run_id)
         select $1, r.source_key, r.demographics, r.household_hints, r.content_hash, r.source_updated_at, $2
         from jsonb_to_recordset($3::jsonb) as r(${recordColumns})`,
        [source, runId, rowsJson(inserts)],
      );
    }
    if (updates.length) {
      await em.query(
        `update source_record s set demographics = r.demographics, household_hints = r.household_hints, content_hash = r.content_hash,
           source_updated_at = r.source_updated_at, last_seen_at = now(), seen_run_id = $2, changed_at = now(),
           change_seq = nextval('source_record_change_seq'), match_status = 'pending', deleted = false, deleted_at = null
         from jsonb_to_recordset($3::jsonb) as r(${recordColumns})
         where s.source = $1 and s.source_key = r.source_key`,
        [source, runId, rowsJson(updates)],
      );
    }
    if (touches.length) {
      await em.query(
        'update source_record set last_seen_at = now(), seen_run_id = $2 where source = $1 and source_key = any($3::text[])',
        [source, runId, touches],
      );
    }
    if (deletes.length) {
      await em.query(
        `update source_record set deleted = true, deleted_at = now(), changed_at = now(), last_seen_at = now(), seen_run_id = $2,
           change_seq = nextval('source_record_change_seq'), match_status = 'pending'
         where source = $1 and source_key = any($3::text[]) and not deleted`,
        [source, runId, deletes],
      );
    }
    counts.inserted = inserts.length;
    counts.updated = updates.length;
    counts.unchanged += touches.length;
    counts.deleted = deletes.length;
    return { counts, written: [...inserts, ...updates] };
  },

  /** Ends a full load: what the source no longer lists is marked deleted (kept, never dropped). */
  async sweep(em: EntityManager, source: string, runId: string): Promise<number> {
    const [, affected] = (await em.query(
      `update source_record set deleted = true, deleted_at = now(), changed_at = now(),
         change_seq = nextval('source_record_change_seq'), match_status = 'pending'
       where source = $1 and not deleted and seen_run_id is distinct from $2`,
      [source, runId],
    )) as [unknown, number];
    return affected;
  },

  async liveCount(em: EntityManager, source: string): Promise<number> {
    const [{ count }]: { count: string }[] = await em.query(
      'select count(*) from source_record where source = $1 and not deleted',
      [source],
    );
    return Number(count);
  },

  async quarantine(em: EntityManager, source: string, runId: string, items: QuarantineItem[]): Promise<void> {
    const unique = [...new Map(items.map((i) => [i.fingerprint, i])).values()];
    if (!unique.length) return;
    const rows = unique.map((i) => ({
      source_key: i.sourceKey ?? null,
      scope: i.scope,
      field: i.field ?? null,
      reason_code: i.code,
      reason: i.reason,
      raw: i.raw ?? null,
      fingerprint: i.fingerprint,
    }));
    await em.query(
      `insert into quarantine (source, source_key, scope, field, reason_code, reason, raw, fingerprint, sync_run_id)
       select $1, q.source_key, q.scope, q.field, q.reason_code, q.reason, q.raw, q.fingerprint, $2
       from jsonb_to_recordset($3::jsonb) as q(source_key text, scope text, field text, reason_code text, reason text, raw jsonb, fingerprint text)
       on conflict (source, fingerprint) do update set last_seen_at = now(), occurrences = quarantine.occurrences + 1,
         sync_run_id = excluded.sync_run_id, reason = excluded.reason, raw = excluded.raw, raw_purged_at = null, resolved_at = null`,
      [source, runId, JSON.stringify(rows)],
    );
  },

  /** Earlier issues of records just written that this run did not see again, and failures of a page now read, are resolved. */
  async resolve(
    em: EntityManager,
    source: string,
    runId: string,
    writtenKeys: string[],
    cursor: string | undefined,
  ): Promise<void> {
    if (writtenKeys.length) {
      await em.query(
        `update quarantine set resolved_at = now() where source = $1 and resolved_at is null and scope in ('record', 'field')
           and source_key = any($2::text[]) and sync_run_id is distinct from $3`,
        [source, writtenKeys, runId],
      );
    }
    await em.query(
      `update quarantine set resolved_at = now() where source = $1 and resolved_at is null and scope = 'page' and coalesce(raw->>'cursor', '') = $2`,
      [source, cursor ?? ''],
    );
  },
};

function rowsJson(records: PreparedRecord[]): string {
  return JSON.stringify(
    records.map((r) => ({
      source_key: r.sourceKey,
      demographics: r.demographics,
      household_hints: r.householdHints,
      content_hash: r.contentHash,
      source_updated_at: r.sourceUpdatedAt ?? null,
    })),
  );
}
