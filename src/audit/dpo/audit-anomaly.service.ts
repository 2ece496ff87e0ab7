import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditException } from '../audit.exception';
import { DISCLOSURE_DECISIONS } from './audit-search.service';

/** The events of the harvesting limits (access/disclosure, graphql/input-hygiene.plugin.ts). */
const LIMIT_PREFIX = 'disclosure-limit.';

export interface VolumeAnomaly {
  subject: string;
  organisation: string;
  events: number;
  persons: number;
  peerMedian: number;
  peers: number;
  robustZ: number;
}

export interface CaseloadAnomaly {
  subject: string;
  organisation: string;
  events: number;
  persons: number;
  breakGlassEvents: number;
}

export interface OutOfHoursAnomaly {
  subject: string;
  organisation: string;
  /** The local day (AUDIT_TIMEZONE), `yyyy-mm-dd`. */
  day: string;
  events: number;
  persons: number;
}

/** A case reference of an organisation that the trail shows covering more persons than CASE_REFERENCE_MAX_PERSONS. */
export interface CaseReferenceAnomaly {
  organisation: string;
  caseReference: string;
  persons: number;
  /** Users or clients who were shown persons under it. */
  subjects: number;
}

/** Disclosures a harvesting limit refused or flagged (`disclosure-limit.*` events), per client and kind. */
export interface FlaggedLimitAnomaly {
  /** `representations`, `persons`, `expected-volume` or `case-reference`. */
  kind: string;
  subject: string;
  organisation: string;
  caseReference?: string;
  agreementId?: string;
  /** Refusals or flags, counted ones included. */
  count: number;
  first: Date;
  last: Date;
}

export interface AnomalyReport {
  from: Date;
  to: Date;
  zThreshold: number;
  minPersons: number;
  bulkThreshold: number;
  timezone: string;
  volume: VolumeAnomaly[];
  outsideCaseload: CaseloadAnomaly[];
  outOfHours: OutOfHoursAnomaly[];
  caseReferenceMaxPersons: number;
  broadCaseReferences: CaseReferenceAnomaly[];
  flagged: FlaggedLimitAnomaly[];
}

export interface AnomalyOptions {
  from?: Date;
  to?: Date;
  /** Robust z-score above which a user's volume is reported; 3.5 as Iglewicz and Hoaglin advise. */
  zThreshold?: number;
  /** Users who saw fewer persons than this are never reported for volume (small numbers mislead). */
  minPersons?: number;
}

// Disclosures made by people, not the DPO's own work on the trail nor the flags of the harvesting limits.
const disclosures = `decision = any($3) and actor_subject is not null and not starts_with(operation, 'dpo.') and not starts_with(operation, '${LIMIT_PREFIX}')`;

/**
 * Patterns a DPO should look at, over a window (default the last 30 days): a user who saw far more people
 * than the peers in their organisation (robust z-score on the median absolute deviation, so one heavy
 * user cannot hide by inflating the spread); access without a case relationship; bulk access out of hours;
 * case references covering more persons than CASE_REFERENCE_MAX_PERSONS (from the trail itself, so what
 * happened before the limit, or past it by any route, shows too); and every refusal or flag of the
 * harvesting limits. A partner client has no peers to be compared with, so the volume test alone never
 * reported one request that took 1,300 people: the last two do.
 */
@Injectable()
export class AuditAnomalyService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async report(options: AnomalyOptions = {}): Promise<AnomalyReport> {
    const to = options.to ?? new Date();
    const from = options.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw AuditException.badRequest('from must be before to');
    const zThreshold = options.zThreshold ?? 3.5;
    const minPersons = options.minPersons ?? 10;
    if (!(zThreshold > 0) || !(minPersons >= 0))
      throw AuditException.badRequest('zThreshold must be positive and minPersons not negative');
    const params = [from, to, DISCLOSURE_DECISIONS];
    const caseReferenceMaxPersons = this.config.disclosure.caseReferenceMaxPersons;
    const [volume, outsideCaseload, outOfHours, broadCaseReferences, flagged] = await Promise.all([
      this.volume(params, zThreshold, minPersons),
      this.outsideCaseload(params),
      this.outOfHours(params),
      this.broadCaseReferences(params, caseReferenceMaxPersons),
      this.flagged(from, to),
    ]);
    const { timezone, bulkThreshold } = this.config.audit;
    return {
      from,
      to,
      zThreshold,
      minPersons,
      bulkThreshold,
      timezone,
      volume,
      outsideCaseload,
      outOfHours,
      caseReferenceMaxPersons,
      broadCaseReferences,
      flagged,
    };
  }

  private async volume(params: unknown[], zThreshold: number, minPersons: number): Promise<VolumeAnomaly[]> {
    const rows: { subject: string; organisation: string; events: number; persons: number }[] =
      await this.dataSource.query(
        `select actor_subject as subject, actor_organisation as organisation, count(distinct seq)::int as events,
              count(distinct p)::int as persons
       from audit_event left join lateral unnest(persons) as p on true
       where occurred_at >= $1 and occurred_at < $2 and ${disclosures}
       group by 1, 2`,
        params,
      );
    const byOrganisation = new Map<string, typeof rows>();
    for (const row of rows)
      byOrganisation.set(row.organisation, [...(byOrganisation.get(row.organisation) ?? []), row]);
    const found: VolumeAnomaly[] = [];
    for (const peers of byOrganisation.values()) {
      const counts = peers.map((peer) => peer.persons);
      for (const row of peers) {
        const z = robustZ(row.persons, counts);
        if (z !== null && z > zThreshold && row.persons >= minPersons) {
          found.push({ ...row, peerMedian: median(counts), peers: peers.length, robustZ: Math.round(z * 100) / 100 });
        }
      }
    }
    return found.sort((a, b) => b.robustZ - a.robustZ);
  }

  /** Released with no case relationship behind it: break-glass, or consent alone. */
  private async outsideCaseload(params: unknown[]): Promise<CaseloadAnomaly[]> {
    return this.dataSource.query(
      `select actor_subject as subject, actor_organisation as organisation, count(distinct seq)::int as events,
              count(distinct p)::int as persons, count(distinct seq) filter (where break_glass_id is not null)::int as "breakGlassEvents"
       from audit_event left join lateral unnest(persons) as p on true
       where occurred_at >= $1 and occurred_at < $2 and ${disclosures}
         and relationship_id is null and cardinality(persons) > 0
       group by 1, 2 order by 4 desc, 1`,
      params,
    );
  }

  private broadCaseReferences(params: unknown[], max: number): Promise<CaseReferenceAnomaly[]> {
    return this.dataSource.query(broadCaseReferencesQuery(), [...params, max]);
  }

  private async flagged(from: Date, to: Date): Promise<FlaggedLimitAnomaly[]> {
    // An aggregate event (`<operation>.aggregate`) stands for `detail.count` refusals.
    const rows: (Omit<FlaggedLimitAnomaly, 'caseReference' | 'agreementId'> & {
      caseReference: string | null;
      agreementId: string | null;
    })[] = await this.dataSource.query(
      `select regexp_replace(substr(operation, ${LIMIT_PREFIX.length + 1}), '[.]aggregate$', '') as kind,
                actor_subject as subject, actor_organisation as organisation, case_reference as "caseReference", agreement_id as "agreementId",
                sum(case when operation like '%.aggregate' then coalesce((detail->>'count')::int, 1) else 1 end)::int as count,
                min(occurred_at) as first, max(occurred_at) as last
         from audit_event
         where occurred_at >= $1 and occurred_at < $2 and starts_with(operation, '${LIMIT_PREFIX}') and actor_subject is not null
         group by 1, 2, 3, 4, 5 order by 6 desc, 2, 1`,
      [from, to],
    );
    return rows.map(({ caseReference, agreementId, ...row }) => ({
      ...row,
      ...(caseReference ? { caseReference } : {}),
      ...(agreementId ? { agreementId } : {}),
    }));
  }

  private async outOfHours(params: unknown[]): Promise<OutOfHoursAnomaly[]> {
    const { officeHours, timezone, bulkThreshold } = this.config.audit;
    return this.dataSource.query(
      `with local as (
         select actor_subject, actor_organisation, seq, persons, occurred_at at time zone $4 as t
         from audit_event where occurred_at >= $1 and occurred_at < $2 and ${disclosures})
       select actor_subject as subject, actor_organisation as organisation, to_char(t, 'YYYY-MM-DD') as day,
              count(distinct seq)::int as events, count(distinct p)::int as persons
       from local left join lateral unnest(persons) as p on true
       where not (extract(isodow from t)::int = any($5)
                  and extract(hour from t) * 60 + extract(minute from t) >= $6
                  and extract(hour from t) * 60 + extract(minute from t) < $7)
       group by 1, 2, 3 having count(distinct p) >= $8 order by 5 desc, 1, 3`,
      [...params, timezone, officeHours.days, officeHours.startMinute, officeHours.endMinute, bulkThreshold],
    );
  }
}

/** Persons disclosed under each case reference of an organisation in the window, where more than `max`. */
function broadCaseReferencesQuery(): string {
  return `select actor_organisation as organisation, case_reference as "caseReference", count(distinct p)::int as persons,
                 count(distinct actor_subject)::int as subjects
          from audit_event cross join lateral unnest(persons) as p
          where occurred_at >= $1 and occurred_at < $2 and ${disclosures} and case_reference is not null
          group by 1, 2 having count(distinct p) > $4 order by 3 desc, 1, 2`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The modified z-score, 0.6745 (x − median) / MAD. When more than half the peers are equal the MAD is 0;
 * then the mean absolute deviation stands in (scaled by 1.2533 to match), as is usual. Null when every
 * peer is the same or there are too few to compare.
 */
export function robustZ(value: number, peers: number[]): number | null {
  if (peers.length < 3) return null;
  const m = median(peers);
  const mad = median(peers.map((peer) => Math.abs(peer - m)));
  if (mad > 0) return (0.6745 * (value - m)) / mad;
  const meanAd = peers.reduce((sum, peer) => sum + Math.abs(peer - m), 0) / peers.length;
  return meanAd > 0 ? (value - m) / (1.2533 * meanAd) : null;
}
