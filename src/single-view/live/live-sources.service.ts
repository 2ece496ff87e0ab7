import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
  TaskCancelledError,
} from 'cockatiel';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { BreakerState, HubMetrics, noHubMetrics, SourceLookupOutcome } from '../../metrics/hub-metrics';
import { inSpan } from '../../metrics/hub-tracing';
import { FetchOptions, ServiceRecord } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { SourceErrorCode, SourceException } from '../../sources/source-transport';

/** Why a source gave no usable answer to a live lookup. Never carries personal data. */
export interface SourceFailure {
  source: string;
  /** `timeout`, `circuit-open`, or the transport's code (`SOURCE_HTTP_ERROR`, ...). */
  reason: string;
  message: string;
}

/**
 * Live detail lookups against the source systems, one policy per source: a timeout on the whole lookup
 * (retries included: the HTTP transport retries idempotent reads on timeouts, network errors, 429 and 5xx)
 * inside a circuit breaker, so a source that keeps failing is not called at all for a while and costs its
 * callers nothing but its own fields. Nothing is cached here: service data is not kept in the hub.
 */
@Injectable()
export class LiveSources {
  private readonly logger = new Logger('LiveSources');
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly registry: SourceRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Lookups by source and outcome, breaker states (docs/monitoring.md); without the metrics module, not counted.
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  /** The records each key has at the source (one call); throws a SourceFailure when it cannot answer. */
  fetch(
    source: string,
    keys: readonly string[],
    options: Omit<FetchOptions, 'signal'> = {},
  ): Promise<Map<string, ServiceRecord[]>> {
    const started = performance.now();
    const attributes = {
      'hub.source': source,
      'hub.keys': keys.length,
      ...(options.requestId ? { 'hub.request_id': options.requestId } : {}),
    };
    return inSpan('source.lookup', attributes, async (span) => {
      let outcome: SourceLookupOutcome = 'ok';
      try {
        return await this.lookup(source, keys, options);
      } catch (error) {
        outcome = outcomeOf(error);
        throw error;
      } finally {
        span.setAttribute('hub.outcome', outcome);
        this.metrics.sourceLookup(source, outcome, (performance.now() - started) / 1000);
      }
    });
  }

  private async lookup(
    source: string,
    keys: readonly string[],
    options: Omit<FetchOptions, 'signal'>,
  ): Promise<Map<string, ServiceRecord[]>> {
    let adapter;
    try {
      adapter = await this.registry.adapter(source);
    } catch (error) {
      throw failure(source, error);
    }
    // One deadline for the whole lookup, retries included: it aborts the call, and the lookup gives up at
    // once even if the call ignored the signal. (One timer and one controller per call: cockatiel's timeout
    // policy made an AbortError, stack and all, for every call that finished in time.)
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new TaskCancelledError());
        abort.abort(deadlineReason);
      }, this.config.singleView.sourceTimeoutMs);
    });
    try {
      // The breaker is outside the deadline, so a source that hangs counts as failing.
      return await this.breakerFor(source).execute(() =>
        Promise.race([adapter.fetchDetails(keys, { ...options, signal: abort.signal }), deadline]),
      );
    } catch (error) {
      const failed = failure(source, error);
      this.logger.warn(`${source} unavailable for a live lookup: ${failed.reason} (${failed.message})`);
      throw failed;
    } finally {
      clearTimeout(timer);
    }
  }

  private breakerFor(source: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(source);
    if (!breaker) {
      const settings = this.config.singleView;
      breaker = circuitBreaker(handleAll, {
        halfOpenAfter: settings.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(settings.breakerThreshold),
      });
      breaker.onBreak(() =>
        this.logger.warn(
          `${source}: circuit open after ${settings.breakerThreshold} failed lookups; retrying in ${settings.breakerHalfOpenMs} ms`,
        ),
      );
      breaker.onReset(() => this.logger.log(`${source}: circuit closed again`));
      breaker.onStateChange((state) => this.metrics.sourceBreaker(source, breakerStates[state]));
      this.metrics.sourceBreaker(source, 'closed');
      this.breakers.set(source, breaker);
    }
    return breaker;
  }
}

const breakerStates: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** A failed lookup's outcome for the metrics: the breaker, a deadline (the lookup's or the transport's), or anything else. */
function outcomeOf(error: unknown): SourceLookupOutcome {
  const reason = error instanceof SourceFailureError ? error.reason : undefined;
  if (reason === 'circuit-open') return 'breaker-open';
  return reason === 'timeout' || reason === SourceErrorCode.SOURCE_TIMEOUT ? 'timeout' : 'error';
}

/** Why a lookup's call was aborted (made once: an abort without a reason builds a new DOMException each time). */
const deadlineReason = new Error('the live lookup ran out of time');

export function isSourceFailure(value: unknown): value is SourceFailure & Error {
  return value instanceof SourceFailureError;
}

export class SourceFailureError extends Error implements SourceFailure {
  constructor(
    readonly source: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function failure(source: string, error: unknown): SourceFailureError {
  if (error instanceof SourceFailureError) return error;
  if (error instanceof BrokenCircuitError)
    return new SourceFailureError(source, 'circuit-open', `${source} is failing; not called for now`);
  if (error instanceof TaskCancelledError)
    return new SourceFailureError(source, 'timeout', `${source} did not answer in time`);
  if (error instanceof SourceException) return new SourceFailureError(source, error.code, error.message);
  return new SourceFailureError(source, 'error', `${source} could not be asked`);
}
