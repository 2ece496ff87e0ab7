import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HubMetrics, noHubMetrics, SyncRecordCounts } from '../../metrics/hub-metrics';
import { SourceRegistry } from '../source-registry.service';
import { emptyCounts, SyncCounts, SyncOptions, SyncProgress, syncSource, SyncSummary } from './source-sync';

export interface SyncRequest extends SyncOptions {
  /** One source id; all configured sources when absent. */
  source?: string;
}

/** Syncs the configured sources' identities into `source_record`, sources in parallel. */
@Injectable()
export class IdentitySyncService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: SourceRegistry,
    // Records per source and change, page by page, and runs by status (docs/monitoring.md).
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  async sync(request: SyncRequest = {}): Promise<SyncSummary[]> {
    const adapters = await this.registry.adapters();
    const ids = request.source ? [request.source] : [...adapters.keys()];
    if (request.source) await this.registry.adapter(request.source); // an unknown name fails here, clearly
    const reported = new Map<string, SyncCounts>();
    const onProgress = (progress: SyncProgress) => {
      this.report(progress.source, progress.counts, reported);
      request.onProgress?.(progress);
    };
    const settled = await Promise.allSettled(
      ids.map((id) => syncSource(this.dataSource, id, adapters.get(id)!, { ...request, onProgress })),
    );
    // A source whose sync broke off is reported as failed; it resumes from its last committed page next time.
    const summaries: SyncSummary[] = settled.map((result, i) =>
      result.status === 'fulfilled'
        ? result.value
        : {
            source: ids[i],
            status: 'failed',
            counts: emptyCounts(),
            error: result.reason instanceof Error ? result.reason.message : String(result.reason),
            durationMs: 0,
          },
    );
    for (const summary of summaries) {
      // What came after the last page's report (a page that could not be read is quarantined without one).
      this.report(summary.source, summary.counts, reported);
      this.metrics.syncFinished(summary.source, summary.status);
    }
    return summaries;
  }

  /** Reports what `counts` (this invocation's totals for the source) adds to what was reported before. */
  private report(source: string, counts: SyncCounts, reported: Map<string, SyncCounts>): void {
    const before = reported.get(source) ?? emptyCounts();
    const quarantined = (c: SyncCounts) => Object.values(c.quarantined).reduce((sum, n) => sum + (n ?? 0), 0);
    const delta: SyncRecordCounts = { quarantined: quarantined(counts) - quarantined(before) };
    for (const key of ['received', 'inserted', 'updated', 'unchanged', 'deleted', 'swept'] as const)
      delta[key] = counts[key] - before[key];
    this.metrics.syncRecords(source, delta);
    reported.set(source, { ...counts, quarantined: { ...counts.quarantined } });
  }
}
