import { Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRow } from '../audit-content';
import { AuditException } from '../audit.exception';
import { AuditEventFilter, decodeCursor, encodeCursor, filterCondition, pageSize } from './audit-filter';
import { noIdentityIndex, SubjectIdentities } from './subject-identities';

export interface AuditPage {
  rows: AuditRow[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Decisions under which something about a person was released. */
export const DISCLOSURE_DECISIONS = ['allow', 'allow-with-redactions'];

const EXPORT_PAGE = 2_000;

/** Reads the trail for the DPO: newest first, keyset pages (stable while new events arrive). */
@Injectable()
export class AuditSearchService {
  constructor(
    private readonly dataSource: DataSource,
    // The identity module's (global); absent when the audit module stands alone.
    @Optional() private readonly identities: SubjectIdentities = noIdentityIndex,
  ) {}

  async search(filter: AuditEventFilter, first?: number | null, after?: string | null): Promise<AuditPage> {
    const size = pageSize(first);
    const params: unknown[] = [];
    let where = filterCondition(filter, params);
    if (after) {
      params.push(decodeCursor(after));
      where += ` and seq < $${params.length}`;
    }
    params.push(size + 1);
    const rows: AuditRow[] = await this.dataSource.query(
      `select * from audit_event where ${where} order by seq desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, size);
    return {
      rows: page,
      hasNextPage: rows.length > size,
      endCursor: page.length ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }

  /**
   * Who has seen this person's record: every disclosure that named them, newest first, under any id the
   * identity index has merged with theirs (the survivor's, and every id merged into it).
   */
  async timeline(personId: string, first?: number | null, after?: string | null): Promise<AuditPage> {
    const size = pageSize(first);
    const params: unknown[] = [];
    if (!personId || personId.length > 256) throw AuditException.badRequest('personId must be 1 to 256 characters');
    const personIds = await this.identities.samePersonIds(personId);
    // The DPO's own look at the trail is not a look at the person's record.
    let where = `persons && $${params.push(personIds)}::text[] and decision = any($${params.push(DISCLOSURE_DECISIONS)}) and not starts_with(operation, 'dpo.')`;
    if (after) where += ` and seq < $${params.push(decodeCursor(after))}`;
    const rows: AuditRow[] = await this.dataSource.query(
      `select * from audit_event where ${where} order by seq desc limit $${params.push(size + 1)}`,
      params,
    );
    const page = rows.slice(0, size);
    return {
      rows: page,
      hasNextPage: rows.length > size,
      endCursor: page.length ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }

  /** Every matching event, oldest first, a page at a time: for exports of any size. */
  async *stream(filter: AuditEventFilter): AsyncGenerator<AuditRow[]> {
    const baseParams: unknown[] = [];
    const where = filterCondition(filter, baseParams);
    let cursor = 0;
    for (;;) {
      const params = [...baseParams, cursor, EXPORT_PAGE];
      const rows: AuditRow[] = await this.dataSource.query(
        `select * from audit_event where ${where} and seq > $${params.length - 1} order by seq limit $${params.length}`,
        params,
      );
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < EXPORT_PAGE) return;
      cursor = Number(rows[rows.length - 1].seq);
    }
  }
}
