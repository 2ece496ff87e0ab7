import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditCheckpointService, CheckpointRow } from './audit-checkpoint.service';
import { AuditRow, contentOf } from './audit-content';
import { contentHash, GENESIS_HASH, headerHash } from './audit-hash';
import { AuditException } from './audit.exception';

export interface ChainVerification {
  valid: boolean;
  /** Events read and checked (up to and including the first broken one). */
  checkedEvents: number;
  checkedCheckpoints: number;
  /** The lowest sequence number at which the chain is not as it was written; null when valid. */
  firstBrokenSeq: number | null;
  /** Why it is broken, in words; null when valid. */
  problem: string | null;
  fromSeq: number;
  toSeq: number;
}

interface Break {
  seq: number;
  problem: string;
}

const PAGE = 5_000;

/**
 * Re-derives every hash in a range from the stored columns and checks the links, the sequence (no gap,
 * no duplicate), the head, the signed checkpoints and the purge tombstones. Reads in pages, so any range
 * can be checked in bounded memory.
 */
@Injectable()
export class AuditVerifierService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly checkpoints: AuditCheckpointService,
  ) {}

  async verify(fromSeq?: number, toSeq?: number): Promise<ChainVerification> {
    for (const [name, value] of [
      ['fromSeq', fromSeq],
      ['toSeq', toSeq],
    ] as const) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
        throw AuditException.badRequest(`${name} must be a positive whole number`);
    }
    const [head]: { seq: string; hash: string }[] = await this.dataSource.query(
      'select seq, hash from audit_chain_head where id = 1',
    );
    const headSeq = Number(head.seq);
    const [bounds]: { first: string | null; last: string | null }[] = await this.dataSource.query(
      'select min(seq) as first, max(seq) as last from audit_event',
    );
    const lastSeq = Math.max(headSeq, Number(bounds.last ?? 0));
    const from = fromSeq ?? 1;
    const to = Math.min(toSeq ?? lastSeq, lastSeq);
    if (from > to)
      return {
        valid: true,
        checkedEvents: 0,
        checkedCheckpoints: 0,
        firstBrokenSeq: null,
        problem: null,
        fromSeq: from,
        toSeq: to,
      };

    const breaks: Break[] = [];
    const checkpointRows: CheckpointRow[] = await this.dataSource.query(
      'select * from audit_checkpoint where seq >= $1 order by seq, id',
      [Math.max(from - 1, 0)],
    );
    const signed = new Map<number, string[]>();
    for (const row of checkpointRows) {
      // Checkpoints after the range matter only when checking to the end (they show a cut-off tail).
      if (Number(row.seq) > to && to !== lastSeq) continue;
      const check = await this.checkpoints.check(row);
      const seq = Number(row.seq);
      if (!check.ok) breaks.push({ seq: Math.max(seq, 1), problem: check.problem });
      else signed.set(seq, [...(signed.get(seq) ?? []), row.hash]);
      // A signed checkpoint beyond the last event: events after it were removed.
      if (check.ok && seq > Number(bounds.last ?? 0))
        breaks.push({
          seq: Number(bounds.last ?? 0) + 1,
          problem: `events up to ${seq}, fixed by a signed checkpoint, are missing`,
        });
    }

    const anchor = await this.anchor(from, signed, Number(bounds.first ?? 0), breaks);
    const scan = await this.scan(from, to, anchor, signed, breaks);
    if (to === lastSeq && scan.lastHash !== null && scan.lastSeq === headSeq && scan.lastHash !== head.hash) {
      breaks.push({ seq: headSeq, problem: 'the chain head does not match the last event' });
    }
    await this.checkPurges(scan.purges, breaks);

    const first = breaks.sort((a, b) => a.seq - b.seq)[0];
    return {
      valid: !first,
      checkedEvents: scan.checked,
      checkedCheckpoints: checkpointRows.filter((row) => Number(row.seq) <= to).length,
      firstBrokenSeq: first?.seq ?? null,
      problem: first?.problem ?? null,
      fromSeq: from,
      toSeq: to,
    };
  }

  /** The hash the event at `from` must link to, or null when only its own stored link can be taken. */
  private async anchor(
    from: number,
    signed: Map<number, string[]>,
    firstStored: number,
    breaks: Break[],
  ): Promise<string | null> {
    if (from === 1) return GENESIS_HASH;
    const [previous]: { hash: string }[] = await this.dataSource.query('select hash from audit_event where seq = $1', [
      from - 1,
    ]);
    if (previous) return previous.hash;
    const checkpoint = signed.get(from - 1)?.[0];
    if (checkpoint) return checkpoint;
    // Earlier partitions may have been dropped after a purge; then a signed checkpoint must vouch for the start.
    if (firstStored === from)
      breaks.push({
        seq: from,
        problem: `events before ${from} are missing and no signed checkpoint fixes the chain at ${from - 1}`,
      });
    return null;
  }

  private async scan(from: number, to: number, anchor: string | null, signed: Map<number, string[]>, breaks: Break[]) {
    let expected = from;
    let prev = anchor;
    let checked = 0;
    let lastHash: string | null = null;
    const purges = new Map<number, { first: number; last: number }>();
    let cursor = from - 1;
    for (;;) {
      const rows: AuditRow[] = await this.dataSource.query(
        'select * from audit_event where seq > $1 and seq <= $2 order by seq, occurred_at limit $3',
        [cursor, to, PAGE],
      );
      for (const row of rows) {
        const seq = Number(row.seq);
        checked += 1;
        const problem = this.problemWith(row, seq, expected, prev, signed);
        if (problem) {
          breaks.push(problem);
          return { checked, lastHash: null, lastSeq: seq, purges };
        }
        if (row.purged_by !== null) {
          const erased = purges.get(Number(row.purged_by));
          purges.set(Number(row.purged_by), { first: erased?.first ?? seq, last: seq });
        }
        prev = row.hash;
        lastHash = row.hash;
        expected = seq + 1;
      }
      // Several rows may share a sequence number only if forged; they are caught above before the cursor moves.
      if (rows.length < PAGE) break;
      cursor = Number(rows[rows.length - 1].seq);
    }
    if (expected <= to) breaks.push({ seq: expected, problem: `event ${expected} is missing` });
    return { checked, lastHash, lastSeq: expected - 1, purges };
  }

  private problemWith(
    row: AuditRow,
    seq: number,
    expected: number,
    prev: string | null,
    signed: Map<number, string[]>,
  ): Break | undefined {
    if (seq < expected) return { seq, problem: `event ${seq} appears more than once` };
    if (seq > expected) return { seq: expected, problem: `event ${expected} is missing` };
    const at = new Date(row.occurred_at).toISOString();
    if (row.hash !== headerHash({ seq, prev: row.prev_hash, at, op: row.operation, content: row.content_hash })) {
      return { seq, problem: `event ${seq} does not match its hash (sequence, time, operation or links changed)` };
    }
    if (prev !== null && row.prev_hash !== prev)
      return { seq, problem: `event ${seq} does not follow event ${seq - 1}` };
    if (row.purged_by === null && row.content_hash !== contentHash(contentOf(row))) {
      return { seq, problem: `event ${seq} content was changed` };
    }
    const fixed = signed.get(seq);
    if (fixed && fixed.some((hash) => hash !== row.hash))
      return { seq, problem: `event ${seq} differs from the signed checkpoint` };
    return undefined;
  }

  /** A tombstone is only legitimate when a real purge event, after it, erased it. */
  private async checkPurges(purges: Map<number, { first: number; last: number }>, breaks: Break[]): Promise<void> {
    if (purges.size === 0) return;
    const rows: { seq: string }[] = await this.dataSource.query(
      `select seq from audit_event where seq = any($1::bigint[]) and operation = 'audit.purge'`,
      [[...purges.keys()]],
    );
    const real = new Set(rows.map((row) => Number(row.seq)));
    for (const [purgeSeq, erased] of purges) {
      if (!real.has(purgeSeq) || purgeSeq <= erased.last)
        breaks.push({ seq: erased.first, problem: `event ${erased.first} was erased without a purge` });
    }
  }
}
