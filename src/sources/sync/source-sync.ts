import { DataSource } from 'typeorm';
import { IdentityPage, QuarantineReasonCode, SourceAdapter } from '../source-adapter';
import { SourceErrorCode, SourceException } from '../source-transport';
import { fieldQuarantine, pageQuarantine, prepareRecord, QuarantineItem, rejectedQuarantine } from './record-checks';
import { SyncMode, syncStore } from './sync-store';

export interface SyncOptions {
  /** Start a new full load (mark and sweep) even when an incremental sync would do. */
  full?: boolean;
  /** Stop between pages; the sync resumes from the last committed cursor next time. */
  signal?: AbortSignal;
  onProgress?(progress: SyncProgress): void;
  /** Called after each committed page (tests use it to stop a sync mid-way). */
  afterPageCommitted?(pages: number): void | Promise<void>;
}

export interface SyncProgress {
  source: string;
  pages: number;
  received: number;
  total?: number;
  /** This invocation's counts so far (a copy). */
  counts: SyncCounts;
}

export interface SyncCounts {
  pages: number;
  received: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  ignoredDeletes: number;
  swept: number;
  quarantined: Partial<Record<QuarantineReasonCode, number>>;
}

export interface SyncSummary {
  source: string;
  /** `complete`; `failed` (a page could not be read: quarantined, resumes next time); `skipped` (another sync holds the source); `interrupted`. */
  status: 'complete' | 'failed' | 'skipped' | 'interrupted';
  mode?: SyncMode;
  runId?: string;
  resumed?: boolean;
  /** This invocation's counts (a resumed run's totals are in source_sync_run.counts). */
  counts: SyncCounts;
  error?: string;
  sweepSkipped?: string;
  durationMs: number;
}

const lockNamespace = 0x5f1d; // advisory lock class for source syncs

export function emptyCounts(): SyncCounts {
  return {
    pages: 0,
    received: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    ignoredDeletes: 0,
    swept: 0,
    quarantined: {},
  };
}

/**
 * Pulls one source's identities into `source_record`. Each page and the cursor after it commit in one
 * transaction, so a sync stopped anywhere resumes from the last committed cursor without duplicates. A full
 * load marks every record it sees with its run and, when complete, marks what it did not see as deleted.
 * One sync per source at a time across all hub instances (a PostgreSQL advisory lock).
 */
export async function syncSource(
  dataSource: DataSource,
  source: string,
  adapter: SourceAdapter,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  const started = Date.now();
  const counts = emptyCounts();
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    const [{ locked }]: { locked: boolean }[] = await lock.query(
      'select pg_try_advisory_lock($1, hashtext($2)) as locked',
      [lockNamespace, source],
    );
    if (!locked)
      return {
        source,
        status: 'skipped',
        counts,
        error: 'another sync of this source is running',
        durationMs: Date.now() - started,
      };
    try {
      return await run(dataSource, source, adapter, options, counts, started);
    } finally {
      await lock.query('select pg_advisory_unlock($1, hashtext($2))', [lockNamespace, source]);
    }
  } finally {
    await lock.release();
  }
}

async function run(
  dataSource: DataSource,
  source: string,
  adapter: SourceAdapter,
  options: SyncOptions,
  counts: SyncCounts,
  started: number,
): Promise<SyncSummary> {
  const begin = await dataSource.transaction(async (em) => {
    const state = await syncStore.state(em, source);
    const unfinished = state && state.status !== 'idle';
    if (unfinished && !options.full) {
      const totals = await syncStore.resumeRun(em, source, state.runId);
      return { runId: state.runId, mode: state.mode, cursor: state.cursor ?? undefined, resumed: true, totals };
    }
    if (unfinished) await syncStore.endRun(em, state.runId, 'abandoned', {}, 'replaced by a new full load');
    const mode: SyncMode = options.full || !state?.fullLoadCompletedAt ? 'full' : 'incremental';
    const cursor = mode === 'full' ? null : state!.cursor;
    const runId = await syncStore.startRun(em, source, mode, cursor);
    return { runId, mode, cursor: cursor ?? undefined, resumed: false, totals: {} };
  });
  const { runId, mode, resumed } = begin;
  const totals = mergeCounts(emptyCounts(), begin.totals as Partial<SyncCounts>);
  let cursor = begin.cursor;
  const summary = (status: SyncSummary['status'], extra: Partial<SyncSummary> = {}): SyncSummary => ({
    source,
    status,
    mode,
    runId,
    resumed,
    counts,
    durationMs: Date.now() - started,
    ...extra,
  });

  for (;;) {
    if (options.signal?.aborted) return summary('interrupted');
    let page: IdentityPage;
    try {
      page = await adapter.pullIdentities(cursor);
    } catch (error) {
      // A page the source cannot give (after the transport's retries) is quarantined; everything committed
      // stays, and the next sync resumes at this page.
      const { code, reason, detail } = describeFailure(error);
      counts.quarantined[code] = (counts.quarantined[code] ?? 0) + 1;
      totals.quarantined[code] = (totals.quarantined[code] ?? 0) + 1;
      await dataSource.transaction(async (em) => {
        await syncStore.quarantine(em, source, runId, [pageQuarantine(source, cursor, code, reason, detail)]);
        await syncStore.markFailed(em, source, runId, totals, reason);
      });
      return summary('failed', { error: reason });
    }

    const prepared = page.records.map(prepareRecord);
    let sweepSkipped: string | undefined;
    await dataSource.transaction(async (em) => {
      const { counts: pageCounts, written } = await syncStore.applyRecords(em, source, runId, mode, prepared);
      const items: QuarantineItem[] = [
        ...page.rejected.map((r) => rejectedQuarantine(source, r)),
        ...written.flatMap((r) => fieldQuarantine(source, r)),
      ];
      await syncStore.quarantine(em, source, runId, items);
      await syncStore.resolve(
        em,
        source,
        runId,
        written.map((r) => r.sourceKey),
        cursor,
      );
      const pageTotals = {
        ...pageCounts,
        pages: 1,
        received: page.records.length + page.rejected.length,
        swept: 0,
        quarantined: tally(items),
      };
      if (page.complete && mode === 'full') {
        const seen = totals.received + pageTotals.received;
        const live = await syncStore.liveCount(em, source);
        // A full load that lists nothing at all is far likelier a fault at the source than an empty system.
        if (seen === 0 && live > 0)
          sweepSkipped = `the full load listed no records; ${live} stored records were left as they are`;
        else pageTotals.swept = await syncStore.sweep(em, source, runId);
      }
      mergeCounts(counts, pageTotals);
      mergeCounts(totals, pageTotals);
      if (page.complete) {
        await syncStore.finishLoad(em, source, page.nextCursor, mode === 'full');
        await syncStore.endRun(em, runId, 'complete', totals);
      } else await syncStore.saveProgress(em, source, runId, page.nextCursor, totals);
    });
    options.onProgress?.({
      source,
      pages: counts.pages,
      received: counts.received,
      total: page.total,
      counts: { ...counts, quarantined: { ...counts.quarantined } },
    });
    await options.afterPageCommitted?.(counts.pages);
    if (page.complete) return summary('complete', sweepSkipped ? { sweepSkipped } : {});
    cursor = page.nextCursor;
  }
}

function describeFailure(error: unknown): {
  code: QuarantineReasonCode;
  reason: string;
  detail: Record<string, unknown>;
} {
  if (error instanceof SourceException) {
    const codes: Record<SourceErrorCode, QuarantineReasonCode> = {
      [SourceErrorCode.SOURCE_HTTP_ERROR]: 'http-error',
      [SourceErrorCode.SOURCE_TIMEOUT]: 'timeout',
      [SourceErrorCode.SOURCE_UNREACHABLE]: 'unreachable',
      [SourceErrorCode.SOURCE_NOT_JSON]: 'not-json',
      [SourceErrorCode.SOURCE_BAD_RESPONSE]: 'bad-page',
      [SourceErrorCode.SOURCE_UNKNOWN]: 'bad-page',
    };
    return {
      code: codes[error.code],
      reason: error.message,
      detail: { status: error.status ?? null, body: error.bodyExcerpt ?? null },
    };
  }
  return { code: 'bad-page', reason: error instanceof Error ? error.message : String(error), detail: {} };
}

function tally(items: QuarantineItem[]): SyncCounts['quarantined'] {
  const out: SyncCounts['quarantined'] = {};
  for (const item of items) out[item.code] = (out[item.code] ?? 0) + 1;
  return out;
}

function mergeCounts(target: SyncCounts, add: Partial<SyncCounts>): SyncCounts {
  for (const key of [
    'pages',
    'received',
    'inserted',
    'updated',
    'unchanged',
    'deleted',
    'ignoredDeletes',
    'swept',
  ] as const) {
    target[key] += Number(add[key] ?? 0);
  }
  for (const [code, n] of Object.entries(add.quarantined ?? {})) {
    const c = code as QuarantineReasonCode;
    target.quarantined[c] = (target.quarantined[c] ?? 0) + Number(n);
  }
  return target;
}
