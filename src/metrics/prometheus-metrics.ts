import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  BreakerState,
  DecisionOutcome,
  GraphqlOutcome,
  HubMetrics,
  LifeEventDeliveryOutcome,
  MatchingBatchCounts,
  QueueDepth,
  SourceLookupOutcome,
  syncChanges,
  SyncRecordCounts,
} from './hub-metrics';

/** Request-sized latencies: 5 ms to 10 s. */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** An audit append is a short statement, grouped with others under load: 1 ms to 2.5 s. */
const appendBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const breakerValues: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2, isolated: 3 };
/** A code is the hub's or a library's constant; anything else is not let into a label. */
const codePattern = /^[A-Za-z0-9_. -]{1,64}$/;
/** A scrape does not wait longer than this for a queue's depth. */
const QUEUE_READ_TIMEOUT_MS = 2000;

/**
 * The hub's metrics in a prom-client Registry of its own (one per application, so two hubs in one test
 * process do not share counters), with Node's default metrics (event loop lag, heap, GC, handles).
 */
export class PrometheusHubMetrics extends HubMetrics {
  readonly registry = new Registry();
  private readonly queueReaders = new Set<() => Promise<QueueDepth[]>>();

  private readonly httpDuration = this.histogram(
    'hub_http_request_duration_seconds',
    'HTTP requests answered, by method, route pattern and status code',
    ['method', 'route', 'status'],
    requestBuckets,
  );
  private readonly graphqlDuration = this.histogram(
    'hub_graphql_operation_duration_seconds',
    'GraphQL operations, by root field of the schema (or multiple / other) and outcome (ok, partial: data with errors, error: no data)',
    ['operation', 'outcome'],
    requestBuckets,
  );
  private readonly graphqlErrors = this.counter(
    'hub_graphql_errors_total',
    'Errors in GraphQL answers, by root field and extensions.code',
    ['operation', 'code'],
  );
  private readonly decisions = this.counter(
    'hub_policy_decisions_total',
    'Policy decisions, one per subject, by audited operation and outcome',
    ['operation', 'outcome'],
  );
  private readonly appends = this.counter('hub_audit_appends_total', 'Audit events committed, by operation', [
    'operation',
  ]);
  private readonly appendDuration = this.histogram(
    'hub_audit_append_duration_seconds',
    'Time from handing an audit event to the writer to its commit, by outcome',
    ['outcome'],
    appendBuckets,
  );
  private readonly appendFailures = this.counter(
    'hub_audit_append_failures_total',
    'Audit events that could not be written (nothing was released), by operation and code',
    ['operation', 'code'],
  );
  private readonly appendFailing = this.gauge(
    'hub_audit_append_failing',
    '1 while the last audit append of this instance failed and none has succeeded since (readiness: degraded)',
    [],
  );
  private readonly lookups = this.counter(
    'hub_source_lookups_total',
    'Live lookups at the sources, by source and outcome (ok, timeout, error, breaker-open)',
    ['source', 'outcome'],
  );
  private readonly lookupDuration = this.histogram(
    'hub_source_lookup_duration_seconds',
    'Live lookup time (retries included), by source and outcome',
    ['source', 'outcome'],
    requestBuckets,
  );
  private readonly breakers = this.gauge(
    'hub_source_breaker_state',
    "A source's circuit breaker in this instance: 0 closed, 1 open, 2 half-open, 3 isolated",
    ['source'],
  );
  private readonly syncRecordCounter = this.counter(
    'hub_sync_records_total',
    'Records handled by source syncs in this instance, by source and change (received, inserted, updated, unchanged, deleted, swept, quarantined)',
    ['source', 'change'],
  );
  private readonly syncRuns = this.counter(
    'hub_sync_runs_total',
    'Source syncs ended in this instance, by source and status (complete, failed, skipped, interrupted)',
    ['source', 'status'],
  );
  private readonly matched = this.counter(
    'hub_matching_records_total',
    'Source records matched into the person index by this instance, by outcome (linked, new-person, deleted)',
    ['outcome'],
  );
  private readonly reviewsOpened = this.counter(
    'hub_matching_reviews_opened_total',
    'Record pairs put to a data steward for review by this instance',
    [],
  );
  private readonly deliveries = this.counter(
    'hub_life_event_deliveries_total',
    'Life-event delivery attempts ended in this instance, by recipient kind (source, partner) and outcome (delivered, failed, dead, cancelled, deferred)',
    ['recipient_kind', 'outcome'],
  );
  private readonly deliveryDuration = this.histogram(
    'hub_life_event_delivery_duration_seconds',
    'Time to send one life-event delivery (notify or webhook POST), by recipient kind and outcome',
    ['recipient_kind', 'outcome'],
    requestBuckets,
  );
  private readonly queueDepth = this.gauge(
    'hub_job_queue_depth',
    'Jobs waiting in a pg-boss queue (read at scrape; reported by instances that run the schedule or the life-event delivery workers)',
    ['queue'],
    (gauge) => this.readQueues(gauge),
  );
  /** Failures to read something at scrape time, by part; the gauges of that part keep their last values. */
  readonly collectErrors = this.counter(
    'hub_metrics_collect_errors_total',
    'Failures to read a metric at scrape time, by part (database-state, job-queues)',
    ['part'],
  );

  constructor() {
    super();
    collectDefaultMetrics({ register: this.registry });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe(
      { method: methods.has(method) ? method : 'OTHER', route, status: String(status) },
      seconds,
    );
  }

  graphqlOperation(operation: string, outcome: GraphqlOutcome, seconds: number, errorCodes: readonly string[]): void {
    this.graphqlDuration.observe({ operation, outcome }, seconds);
    for (const code of errorCodes) this.graphqlErrors.inc({ operation, code: codePattern.test(code) ? code : 'OTHER' });
  }

  policyDecisions(operation: string, outcomes: readonly DecisionOutcome[]): void {
    for (const outcome of outcomes) this.decisions.inc({ operation, outcome });
  }

  auditAppended(operation: string, seconds: number): void {
    this.appends.inc({ operation });
    this.appendDuration.observe({ outcome: 'ok' }, seconds);
    this.appendFailing.set(0);
  }

  auditAppendFailed(operation: string, code: string, seconds: number): void {
    this.appendFailures.inc({ operation, code: codePattern.test(code) ? code : 'OTHER' });
    this.appendDuration.observe({ outcome: 'failed' }, seconds);
    this.appendFailing.set(1);
  }

  sourceLookup(source: string, outcome: SourceLookupOutcome, seconds: number): void {
    this.lookups.inc({ source, outcome });
    this.lookupDuration.observe({ source, outcome }, seconds);
  }

  sourceBreaker(source: string, state: BreakerState): void {
    this.breakers.set({ source }, breakerValues[state]);
  }

  syncRecords(source: string, counts: SyncRecordCounts): void {
    for (const change of syncChanges) {
      const n = counts[change] ?? 0;
      if (n > 0) this.syncRecordCounter.inc({ source, change }, n);
    }
  }

  syncFinished(source: string, status: string): void {
    this.syncRuns.inc({ source, status });
  }

  matchingBatch(counts: MatchingBatchCounts): void {
    if (counts.linked > 0) this.matched.inc({ outcome: 'linked' }, counts.linked);
    if (counts.newPersons > 0) this.matched.inc({ outcome: 'new-person' }, counts.newPersons);
    if (counts.deleted > 0) this.matched.inc({ outcome: 'deleted' }, counts.deleted);
    if (counts.reviewsOpened > 0) this.reviewsOpened.inc(counts.reviewsOpened);
  }

  lifeEventDelivery(recipientKind: string, outcome: LifeEventDeliveryOutcome, seconds: number): void {
    const kind = recipientKind === 'source' || recipientKind === 'partner' ? recipientKind : 'other';
    this.deliveries.inc({ recipient_kind: kind, outcome });
    if (seconds > 0) this.deliveryDuration.observe({ recipient_kind: kind, outcome }, seconds);
  }

  watchQueues(read: () => Promise<QueueDepth[]>): () => void {
    this.queueReaders.add(read);
    return () => this.queueReaders.delete(read);
  }

  /** A gauge of this registry whose value is read at each scrape. */
  gauge(name: string, help: string, labelNames: string[], collect?: (gauge: Gauge) => Promise<void> | void): Gauge {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect() {
              return collect(this);
            },
          }
        : {}),
    });
  }

  private counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private async readQueues(gauge: Gauge): Promise<void> {
    if (this.queueReaders.size === 0) return;
    try {
      const depths = (
        await Promise.all([...this.queueReaders].map((read) => withTimeout(read(), QUEUE_READ_TIMEOUT_MS)))
      ).flat();
      gauge.reset();
      for (const { queue, depth } of depths) gauge.set({ queue }, depth);
    } catch {
      this.collectErrors.inc({ part: 'job-queues' });
    }
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
