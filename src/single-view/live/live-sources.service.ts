import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleAll, IPolicy, TaskCancelledError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { ServiceRecord } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { SourceException } from '../../sources/source-transport';

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
  private readonly policies = new Map<string, IPolicy>();

  constructor(
    private readonly registry: SourceRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The records each key has at the source (one call); throws a SourceFailure when it cannot answer. */
  async fetch(source: string, keys: readonly string[], requestId?: string): Promise<Map<string, ServiceRecord[]>> {
    let adapter;
    try {
      adapter = await this.registry.adapter(source);
    } catch (error) {
      throw failure(source, error);
    }
    // This call's own deadline, so that a call the timeout aborted, failing with its own error, is still
    // reported as a timeout.
    const deadline = AbortSignal.timeout(this.config.singleView.sourceTimeoutMs);
    try {
      // A signal of its own: without one, cockatiel hangs every call's listener on one shared signal.
      return await this.policyFor(source).execute(
        ({ signal }) => adapter.fetchDetails(keys, { signal: AbortSignal.any([signal, deadline]), ...(requestId ? { requestId } : {}) }),
        new AbortController().signal,
      );
    } catch (error) {
      const failed = deadline.aborted && !(error instanceof BrokenCircuitError) ? failure(source, new TaskCancelledError()) : failure(source, error);
      this.logger.warn(`${source} unavailable for a live lookup: ${failed.reason} (${failed.message})`);
      throw failed;
    }
  }

  private policyFor(source: string): IPolicy {
    let policy = this.policies.get(source);
    if (!policy) {
      const settings = this.config.singleView;
      const breaker = circuitBreaker(handleAll, { halfOpenAfter: settings.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(settings.breakerThreshold) });
      breaker.onBreak(() => this.logger.warn(`${source}: circuit open after ${settings.breakerThreshold} failed lookups; retrying in ${settings.breakerHalfOpenMs} ms`));
      breaker.onReset(() => this.logger.log(`${source}: circuit closed again`));
      // The breaker is outside the timeout, so a source that hangs counts as failing.
      policy = wrap(breaker, timeout(settings.sourceTimeoutMs, TimeoutStrategy.Aggressive));
      this.policies.set(source, policy);
    }
    return policy;
  }
}

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
  if (error instanceof BrokenCircuitError) return new SourceFailureError(source, 'circuit-open', `${source} is failing; not called for now`);
  if (error instanceof TaskCancelledError) return new SourceFailureError(source, 'timeout', `${source} did not answer in time`);
  if (error instanceof SourceException) return new SourceFailureError(source, error.code, error.message);
  return new SourceFailureError(source, 'error', `${source} could not be asked`);
}
