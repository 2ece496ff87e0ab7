import { BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { failureCode, failureMessage } from '../database/query-logger';
import { HubMetrics, noHubMetrics } from '../metrics/hub-metrics';
import { inSpan } from '../metrics/hub-tracing';
import { AuditChainWriter, AuditReceipt } from './audit-chain-writer';
import { InvalidAuditEventError, prepareEvent } from './audit-content';
import { AuditErrorCode, AuditException } from './audit.exception';
import { AuditEventInput, AuditRecorder } from '../engine/audit-recorder';

/**
 * The audit trail's write side, behind the AuditRecorder port. Fail closed: when an event cannot be
 * written, `record` throws an AuditException and the caller must release nothing. The documented pattern:
 *
 *   const [data] = await Promise.all([fetch(), audit.record(event)]);  // or record, then fetch
 *   return data;                                                       // released only if both succeeded
 */
@Injectable()
export class AuditService extends AuditRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly writer: AuditChainWriter;
  private lastWrittenAt = 0;
  private lastFailure?: { at: number; code: string };

  constructor(
    dataSource: DataSource,
    // Appends counted and timed, failures counted (docs/monitoring.md); without the metrics module, not.
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {
    super();
    this.writer = new AuditChainWriter(dataSource);
  }

  async record(event: AuditEventInput, manager?: EntityManager): Promise<AuditReceipt> {
    const prepared = this.prepare(event);
    const started = performance.now();
    const attributes = {
      'hub.audit.operation': prepared.operation,
      ...(event.requestId ? { 'hub.request_id': event.requestId } : {}),
    };
    try {
      const receipt = await inSpan('audit.append', attributes, async (span) => {
        const written = manager ? await this.writer.appendWith(manager, prepared) : await this.writer.append(prepared);
        span.setAttribute('hub.audit.seq', written.seq);
        return written;
      });
      this.lastWrittenAt = Date.now();
      this.metrics.auditAppended(prepared.operation, (performance.now() - started) / 1000);
      return receipt;
    } catch (error) {
      this.lastFailure = { at: Date.now(), code: failureCode(error) };
      this.metrics.auditAppendFailed(prepared.operation, this.lastFailure.code, (performance.now() - started) / 1000);
      // PostgreSQL quotes offending values in some messages: left out, as in every database log line.
      this.logger.error(`audit event not written (operation ${prepared.operation}): ${failureMessage(error)}`);
      throw AuditException.unavailable(error);
    }
  }

  /** Several events in one append (one statement) in `manager`'s transaction; without one, each as `record`. */
  override async recordAll(events: readonly AuditEventInput[], manager?: EntityManager): Promise<AuditReceipt[]> {
    if (!manager) return Promise.all(events.map((event) => this.record(event)));
    const prepared = events.map((event) => this.prepare(event));
    const started = performance.now();
    try {
      const receipts = await this.writer.appendAllWith(manager, prepared);
      this.lastWrittenAt = Date.now();
      const seconds = (performance.now() - started) / 1000;
      for (const event of prepared) this.metrics.auditAppended(event.operation, seconds);
      return receipts;
    } catch (error) {
      this.lastFailure = { at: Date.now(), code: failureCode(error) };
      const seconds = (performance.now() - started) / 1000;
      for (const event of prepared) this.metrics.auditAppendFailed(event.operation, this.lastFailure.code, seconds);
      this.logger.error(`audit events not written (${prepared.length}): ${failureMessage(error)}`);
      throw AuditException.unavailable(error);
    }
  }

  private prepare(event: AuditEventInput): ReturnType<typeof prepareEvent> {
    try {
      return prepareEvent(event);
    } catch (error) {
      if (!(error instanceof InvalidAuditEventError)) throw AuditException.unavailable(error);
      this.logger.error(`${error.message} (operation ${String(event?.operation)})`);
      throw new AuditException(
        AuditErrorCode.AUDIT_EVENT_INVALID,
        'The audit event for this request was invalid, so nothing was released',
        {
          problem: error.message,
        },
      );
    }
  }

  /**
   * For the readiness check: the last failed append, if none has succeeded since, with its SQLSTATE (or
   * error name) only; the message, which may quote data, stays in the log.
   */
  failingSince(): { at: Date; code: string } | undefined {
    const failure = this.lastFailure;
    return failure && failure.at >= this.lastWrittenAt ? { at: new Date(failure.at), code: failure.code } : undefined;
  }

  /** Before the database closes: refuse new events, finish those accepted. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.writer.close();
  }
}
