import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditException } from '../audit.exception';
import { DISCLOSURE_DECISIONS } from './audit-search.service';

export type BreakGlassStatusFilter = 'pending' | 'justified' | 'not-justified' | 'all';

export interface BreakGlassReview {
  id: string;
  granteeSubject: string;
  granteeOrganisation: string;
  personId: string;
  purpose: string;
  caseReference: string | null;
  reason: string;
  grantedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  reviewStatus: string;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewNote: string | null;
  /** What the grant was used for, from the audit trail. */
  disclosures: number;
  personsSeen: string[];
  fieldsReleased: string[];
  firstUsedAt: Date | null;
  lastUsedAt: Date | null;
}

/**
 * Break-glass grants (the access module's `break_glass` table) with their review outcome and, from the
 * audit trail, what each was actually used to see: what a reviewer needs to judge it. Outcomes are
 * recorded with the access module's `reviewBreakGlass` mutation, which audits them.
 */
@Injectable()
export class BreakGlassReviewsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(status: BreakGlassStatusFilter = 'pending', limit = 200): Promise<BreakGlassReview[]> {
    if (!['pending', 'justified', 'not-justified', 'all'].includes(status))
      throw AuditException.badRequest('status must be pending, justified, not-justified or all');
    const [exists]: { ok: boolean }[] = await this.dataSource.query(
      `select to_regclass('break_glass') is not null as ok`,
    );
    if (!exists.ok) return [];
    return this.dataSource.query(
      `select g.id, g.grantee_subject as "granteeSubject", g.grantee_organisation as "granteeOrganisation", g.person_id as "personId",
              g.purpose, g.case_reference as "caseReference", g.reason, g.granted_at as "grantedAt", g.expires_at as "expiresAt",
              g.revoked_at as "revokedAt", g.review_status as "reviewStatus", g.reviewed_by as "reviewedBy",
              g.reviewed_at as "reviewedAt", g.review_note as "reviewNote",
              coalesce(u.disclosures, 0)::int as disclosures, coalesce(u.persons, '{}') as "personsSeen",
              coalesce(u.fields, '{}') as "fieldsReleased", u.first_used as "firstUsedAt", u.last_used as "lastUsedAt"
       from break_glass g
       left join lateral (
         select count(distinct e.seq) as disclosures, min(e.occurred_at) as first_used, max(e.occurred_at) as last_used,
                array(select distinct p from audit_event x, unnest(x.persons) p
                      where x.break_glass_id = g.id::text and x.decision = any($2) order by 1) as persons,
                array(select distinct f->>'source' || ':' || (f->>'field') from audit_event x, jsonb_array_elements(x.released) f
                      where x.break_glass_id = g.id::text and x.decision = any($2) order by 1) as fields
         from audit_event e where e.break_glass_id = g.id::text and e.decision = any($2)
       ) u on true
       where $1 = 'all' or g.review_status = $1
       order by g.granted_at limit $3`,
      [status, DISCLOSURE_DECISIONS, limit],
    );
  }
}
