import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InputErrorCode, InputException } from '../../common/hub-exception';
import { PairScore } from '../matching/match-model';
import { MatchReviewModel, MatchReviewPage, StewardRecordModel } from './match-review.model';

/** Reads the clerical review queue for data stewards, most probable first, with both records. */
@Injectable()
export class MatchReviewQuery {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(first: number, after?: string): Promise<MatchReviewPage> {
    const limit = Math.min(Math.max(first, 1), 100);
    const cursor = decodeCursor(after);
    const rows: ReviewRow[] = await this.dataSource.query(
      `select m.id::text, m.status, m.reason, m.probability, m.explanation, m.created_at, m.reviewed_by,
              m.record_a::text, coalesce(m.record_b::text, '-' || m.reported_identity_id::text) as record_b
         from match_review m
        where m.status = 'pending' and ($1::float8 is null or (m.probability, m.id) < ($1, $2::bigint))
        order by m.probability desc, m.id desc limit $3`,
      [cursor?.probability ?? null, cursor?.id ?? null, limit + 1],
    );
    const [{ pending }] = await this.dataSource.query(
      `select count(*)::int as pending from match_review where status = 'pending'`,
    );
    const page = rows.slice(0, limit);
    const records = await this.records(page.flatMap((r) => [r.record_a, r.record_b]));
    const items: MatchReviewModel[] = page.map((r) => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      probability: r.probability,
      explanation: r.explanation as PairScore,
      recordA: records.get(r.record_a)!,
      recordB: records.get(r.record_b)!,
      createdAt: r.created_at,
      reviewedBy: r.reviewed_by ?? undefined,
    }));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.probability, last.id) : null, pending };
  }

  /**
   * The records of the items: source records, and the reported identity of a child reported born (source
   * `hub`, keyed by its life event, `deleted` once the event is withdrawn).
   */
  private async records(ids: string[]): Promise<Map<string, StewardRecordModel>> {
    const rows: {
      id: string;
      source: string;
      source_key: string;
      demographics: StewardRecordModel['identity'];
      deleted: boolean;
      person_id: string | null;
    }[] = await this.dataSource.query(
      `select r.id::text, r.source, r.source_key, r.demographics, r.deleted, l.person_id::text
           from source_record r left join person_link l on l.source_record_id = r.id where r.id = any($1::bigint[])
         union all
         select '-' || x.id::text, 'hub', 'life-event:' || x.event_id::text, x.fields, x.withdrawn_at is not null,
                x.person_id::text
           from person_reported_identity x where -x.id = any($1::bigint[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          source: r.source,
          sourceKey: r.source_key,
          identity: r.demographics ?? {},
          deleted: r.deleted,
          personId: r.person_id ?? undefined,
        },
      ]),
    );
  }
}

interface ReviewRow {
  id: string;
  status: string;
  reason: string;
  probability: number;
  explanation: unknown;
  created_at: Date;
  reviewed_by: string | null;
  record_a: string;
  record_b: string;
}

function encodeCursor(probability: number, id: string): string {
  return Buffer.from(JSON.stringify([probability, id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { probability: number; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [probability, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof probability === 'number' && typeof id === 'string' && /^\d{1,18}$/.test(id)) return { probability, id };
  } catch {
    // reported below
  }
  throw new InputException(InputErrorCode.BAD_USER_INPUT, 'The cursor is not one this query returned');
}
