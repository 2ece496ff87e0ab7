/**
 * The port through which the domains report what operations watch (docs/monitoring.md). Domains call it
 * and never import prom-client; the metrics module provides the Prometheus implementation when /metrics is
 * served (METRICS_PORT or METRICS_TOKEN) and this no-op otherwise, so a hub without metrics pays nothing.
 *
 * Every argument ends up in a label: operation names, source ids, outcomes and codes only, never a person
 * id, a name, a token's subject or a search term.
 */
export abstract class HubMetrics {
  /** One HTTP request answered: `route` is the route's pattern (never the path itself), `status` its code. */
  abstract httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** One GraphQL operation: `operation` is a root field of the schema, `multiple` or `other` (graphql-metrics.plugin.ts). */
  abstract graphqlOperation(
    operation: string,
    outcome: GraphqlOutcome,
    seconds: number,
    errorCodes: readonly string[],
  ): void;
  /** The policy's decisions for one request, one outcome per subject. */
  abstract policyDecisions(operation: string, outcomes: readonly DecisionOutcome[]): void;
  /** An audit event committed (`operation` is the event's, e.g. `person.view`). */
  abstract auditAppended(operation: string, seconds: number): void;
  /** An audit event not written: `code` is a SQLSTATE, an error's name or `invalid-event`. */
  abstract auditAppendFailed(operation: string, code: string, seconds: number): void;
  /** A live lookup at a source, however it ended. */
  abstract sourceLookup(source: string, outcome: SourceLookupOutcome, seconds: number): void;
  /** A source's circuit breaker changed state (or was created, closed). */
  abstract sourceBreaker(source: string, state: BreakerState): void;
  /** Records a sync brought in since its last report (per page). */
  abstract syncRecords(source: string, counts: SyncRecordCounts): void;
  /** A sync of one source ended. */
  abstract syncFinished(source: string, status: string): void;
  /** One committed batch of the person index. */
  abstract matchingBatch(counts: MatchingBatchCounts): void;
  /**
   * One life-event delivery attempt ended (`seconds`: its send, 0 when nothing was sent): `recipientKind`
   * is `source` or `partner`, never the recipient's data.
   */
  abstract lifeEventDelivery(recipientKind: string, outcome: LifeEventDeliveryOutcome, seconds: number): void;
  /**
   * Reads the depth of the job queues at each scrape (the scheduler hands over its reader once its queues
   * exist). Returns a function that stops the watch.
   */
  abstract watchQueues(read: () => Promise<QueueDepth[]>): () => void;
}

export type GraphqlOutcome = 'ok' | 'partial' | 'error';
export type DecisionOutcome = 'allow' | 'allow-with-redactions' | 'deny';
export type SourceLookupOutcome = 'ok' | 'timeout' | 'error' | 'breaker-open';
/** delivered; failed (retried later); dead (dead-lettered); cancelled; deferred (a retraction awaiting its notice). */
export type LifeEventDeliveryOutcome = 'delivered' | 'failed' | 'dead' | 'cancelled' | 'deferred';
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export const syncChanges = ['received', 'inserted', 'updated', 'unchanged', 'deleted', 'swept', 'quarantined'] as const;
export type SyncRecordCounts = Partial<Record<(typeof syncChanges)[number], number>>;

export interface MatchingBatchCounts {
  linked: number;
  newPersons: number;
  deleted: number;
  reviewsOpened: number;
}

export interface QueueDepth {
  queue: string;
  depth: number;
}

/** Metrics off: every report is dropped. */
export class NoHubMetrics extends HubMetrics {
  httpRequest(): void {}
  graphqlOperation(): void {}
  policyDecisions(): void {}
  auditAppended(): void {}
  auditAppendFailed(): void {}
  sourceLookup(): void {}
  sourceBreaker(): void {}
  syncRecords(): void {}
  syncFinished(): void {}
  matchingBatch(): void {}
  lifeEventDelivery(): void {}
  watchQueues(): () => void {
    return () => undefined;
  }
}

/** For services built without the metrics module (unit and integration tests, the CLI's bare contexts). */
export const noHubMetrics: HubMetrics = new NoHubMetrics();
