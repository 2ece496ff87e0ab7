import { SyncSummary } from './source-sync';

/**
 * What runs after a sync has brought new and changed records in: the identity module matches them into
 * the person index and re-resolves households. A port, so that sources know nothing of identity.
 */
export abstract class AfterSync {
  abstract run(summaries: SyncSummary[]): Promise<Record<string, unknown>>;
}
