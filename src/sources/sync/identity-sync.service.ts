import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SourceRegistry } from '../source-registry.service';
import { emptyCounts, SyncOptions, syncSource, SyncSummary } from './source-sync';

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
  ) {}

  async sync(request: SyncRequest = {}): Promise<SyncSummary[]> {
    const adapters = await this.registry.adapters();
    const ids = request.source ? [request.source] : [...adapters.keys()];
    if (request.source) await this.registry.adapter(request.source); // an unknown name fails here, clearly
    const settled = await Promise.allSettled(ids.map((id) => syncSource(this.dataSource, id, adapters.get(id)!, request)));
    // A source whose sync broke off is reported as failed; it resumes from its last committed page next time.
    return settled.map((result, i) =>
      result.status === 'fulfilled'
        ? result.value
        : { source: ids[i], status: 'failed', counts: emptyCounts(), error: result.reason instanceof Error ? result.reason.message : String(result.reason), durationMs: 0 },
    );
  }
}
