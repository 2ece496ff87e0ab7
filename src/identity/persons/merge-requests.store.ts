import { EntityManager } from 'typeorm';
import { Principal } from '../../engine/principal';
import { IdentityErrorCode, IdentityException } from '../identity.exception';

export type MergeRequestStatus = 'pending' | 'approved' | 'rejected';
export const mergeRequestStatuses: readonly MergeRequestStatus[] = ['pending', 'approved', 'rejected'];

/** A merge of two persons that waits for (or had) a second data steward's decision. */
export interface MergeRequest {
  id: string;
  status: MergeRequestStatus;
  survivorId: string;
  mergedId: string;
  /** Set when the request came from accepting a review item; the item is accepted on approval. */
  reviewId?: string;
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  decidedBy?: string;
  decidedAt?: Date;
  note?: string;
}

interface MergeRequestRow {
  id: string;
  status: MergeRequestStatus;
  survivor_id: string;
  merged_id: string;
  review_id: string | null;
  reason: string;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
}

const columns = `id::text, status, survivor_id::text, merged_id::text, review_id::text, reason, requested_by, requested_at, decided_by, decided_at, note`;

/** The SQL of merge requests, on the caller's transaction (under the index lock for every change). */
export class MergeRequestStore {
  constructor(private readonly db: Pick<EntityManager, 'query'>) {}

  /** The open request to merge these two persons, either way round, if any. */
  async openForPair(personA: string, personB: string): Promise<MergeRequest | undefined> {
    const [row]: MergeRequestRow[] = await this.db.query(
      `select ${columns} from person_merge_request
        where status = 'pending' and least(survivor_id, merged_id) = least($1::uuid, $2::uuid) and greatest(survivor_id, merged_id) = greatest($1::uuid, $2::uuid)`,
      [personA, personB],
    );
    return row && toRequest(row);
  }

  /** The open request that came from accepting this review item, if any. */
  async openForReview(reviewId: string): Promise<MergeRequest | undefined> {
    const [row]: MergeRequestRow[] = await this.db.query(
      `select ${columns} from person_merge_request where status = 'pending' and review_id = $1::bigint`,
      [reviewId],
    );
    return row && toRequest(row);
  }

  async create(
    request: { survivorId: string; mergedId: string; reviewId?: string; reason: string },
    actor: Principal,
  ): Promise<MergeRequest> {
    const [row]: MergeRequestRow[] = await this.db.query(
      `insert into person_merge_request (survivor_id, merged_id, review_id, reason, requested_by, requested_by_issuer)
       values ($1, $2, $3, $4, $5, $6) returning ${columns}`,
      [
        request.survivorId,
        request.mergedId,
        request.reviewId ?? null,
        request.reason,
        actor.subject,
        actor.issuer ?? null,
      ],
    );
    return toRequest(row);
  }

  /** The request, locked; NOT_FOUND when there is none. */
  async find(id: string, lock = false): Promise<MergeRequest> {
    const rows: MergeRequestRow[] = /^\d{1,18}$/.test(id)
      ? await this.db.query(`select ${columns} from person_merge_request where id = $1${lock ? ' for update' : ''}`, [
          id,
        ])
      : [];
    if (!rows[0]) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No merge request ${id}`);
    return toRequest(rows[0]);
  }

  /** The request, locked, if it still waits for a decision. */
  async pending(id: string): Promise<MergeRequest> {
    const request = await this.find(id, true);
    if (request.status !== 'pending')
      throw new IdentityException(
        IdentityErrorCode.MERGE_ALREADY_DECIDED,
        `Merge request ${id} is already ${request.status}`,
      );
    return request;
  }

  async close(id: string, status: 'approved' | 'rejected', actor: Principal, note?: string): Promise<MergeRequest> {
    const [[row]]: [MergeRequestRow[]] = await this.db.query(
      `update person_merge_request set status = $2, decided_by = $3, decided_by_issuer = $4, decided_at = now(), note = $5
        where id = $1 returning ${columns}`,
      [id, status, actor.subject, actor.issuer ?? null, note ?? null],
    );
    return toRequest(row);
  }

  /** Requests in a status, oldest first (a queue), `first` at most. */
  async list(status: MergeRequestStatus, first: number): Promise<MergeRequest[]> {
    const rows: MergeRequestRow[] = await this.db.query(
      `select ${columns} from person_merge_request where status = $1 order by requested_at, id limit $2`,
      [status, first],
    );
    return rows.map(toRequest);
  }
}

function toRequest(row: MergeRequestRow): MergeRequest {
  return {
    id: row.id,
    status: row.status,
    survivorId: row.survivor_id,
    mergedId: row.merged_id,
    reviewId: row.review_id ?? undefined,
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    note: row.note ?? undefined,
  };
}
