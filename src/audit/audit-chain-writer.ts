import type { DataSource, EntityManager } from 'typeorm';
import type { AuditContentColumns } from './audit-content';

/** Where an event landed in the chain. */
export interface AuditReceipt {
  seq: string;
  hash: string;
  /** The time the chain gave the event (ISO 8601 UTC, milliseconds). */
  at: string;
}

/** An event ready to append: its columns and content hash, computed by the caller. */
export type AuditAppend = AuditContentColumns;

interface Pending {
  event: AuditAppend;
  resolve: (receipt: AuditReceipt) => void;
  reject: (error: unknown) => void;
}

export interface AuditChainWriterOptions {
  /** Most events in one append (one statement, one hold of the chain lock). */
  maxBatch?: number;
  /**
   * Appends in flight at once from this process. One is best: appends are serial on the chain lock, and
   * the lock is held through the commit's WAL flush, so the next batch gains most by growing meanwhile.
   */
  concurrency?: number;
}

export class AuditWriterClosedError extends Error {
  override readonly name = 'AuditWriterClosedError';
}

const appendSql = 'select event_seq, event_hash, event_at from audit_append($1::jsonb)';

/**
 * Appends events to the chain through `audit_append()`, which takes the chain head's row lock, numbers,
 * times and chains the events, and inserts them in one statement. Calls made while an append is in flight
 * are grouped into the next one, so under load one lock hold carries many events; each caller still waits
 * for its own event's commit and gets its own error. With no load, an event goes alone, at once.
 */
export class AuditChainWriter {
  private readonly queue: Pending[] = [];
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private inFlight = 0;
  private closed = false;
  private idle?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    options: AuditChainWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.concurrency = options.concurrency ?? 1;
  }

  /** Appends in its own transaction (autocommit); resolves once the event is committed. */
  append(event: AuditAppend): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new AuditWriterClosedError('the audit writer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.pump();
    });
  }

  /**
   * Appends inside the caller's transaction, so the event commits (or rolls back) with the change it
   * records. The chain lock is then held until that transaction ends: record last, commit promptly.
   */
  async appendWith(manager: EntityManager, event: AuditAppend): Promise<AuditReceipt> {
    if (this.closed) throw new AuditWriterClosedError('the audit writer is closed');
    const [receipt] = await this.write([event], manager);
    return receipt;
  }

  /** Several events in one append inside the caller's transaction (as `appendWith`), in order. */
  async appendAllWith(manager: EntityManager, events: AuditAppend[]): Promise<AuditReceipt[]> {
    if (this.closed) throw new AuditWriterClosedError('the audit writer is closed');
    return events.length === 0 ? [] : this.write(events, manager);
  }

  /** Refuses new events and waits for those already accepted. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.inFlight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.flush(batch).finally(() =>
        // The slot is freed one turn of the event loop later: callers just answered append their next
        // events meanwhile, and those go out together in the next batch instead of trickling into several.
        setImmediate(() => {
          this.inFlight -= 1;
          if (this.queue.length > 0) this.pump();
          else if (this.inFlight === 0) this.idle?.();
        }),
      );
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const receipts = await this.write(batch.map((pending) => pending.event));
      batch.forEach((pending, index) => pending.resolve(receipts[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // One bad event must not cost the others: each is tried alone and answers for itself.
      for (const pending of batch) {
        try {
          const [receipt] = await this.write([pending.event]);
          pending.resolve(receipt);
        } catch (single) {
          pending.reject(single);
        }
      }
    }
  }

  private async write(events: AuditAppend[], manager?: EntityManager): Promise<AuditReceipt[]> {
    const runner = manager ?? this.dataSource;
    const rows: { event_seq: string; event_hash: string; event_at: string }[] = await runner.query(appendSql, [
      JSON.stringify(events),
    ]);
    if (rows.length !== events.length)
      throw new Error(`audit append returned ${rows.length} receipts for ${events.length} events`);
    return rows.map((row) => ({ seq: String(row.event_seq), hash: row.event_hash, at: row.event_at }));
  }
}
