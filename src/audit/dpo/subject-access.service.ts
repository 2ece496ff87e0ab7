import { Injectable, Optional } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { AuditRow } from '../audit-content';
import { AuditException } from '../audit.exception';
import { safeCell } from './audit-export';
import { DISCLOSURE_DECISIONS } from './audit-search.service';
import { noIdentityIndex, SourceRecordEntry, SubjectIdentities } from './subject-identities';

export type { SourceRecordEntry };

export interface SubjectAccessReport {
  personId: string;
  /** Every id searched: the person's, the survivor it was merged into, and every id merged into that. */
  personIds: string[];
  generatedAt: Date;
  receivedOn: Date | null;
  /** One calendar month after the request was received (UK GDPR Art. 12(3)). */
  dueBy: Date | null;
  /** False when this hub holds no identity index to search (then only the trail was searched). */
  sourceRecordsSearched: boolean;
  sourceRecords: SourceRecordEntry[];
  /** Every release of data about the person, oldest first. */
  disclosures: AuditRow[];
  /** Other recorded processing about them: consent, objections, merges, break-glass, refusals. */
  otherEvents: AuditRow[];
}

/**
 * The subject access report for one person: every record the hub holds about them, from each source, and
 * every disclosure of them, with recipient, purpose, agreement and lawful basis. Service data stays in
 * the source systems (hub and spoke): the report names them so each can answer for its own records.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly dataSource: DataSource,
    // The identity module's (global); absent when the audit module stands alone.
    @Optional() private readonly identities: SubjectIdentities = noIdentityIndex,
  ) {}

  async report(personId: string, receivedOn?: Date | null): Promise<SubjectAccessReport> {
    if (!personId || personId.length > 256) throw AuditException.badRequest('personId must be 1 to 256 characters');
    if (receivedOn && Number.isNaN(receivedOn.getTime())) throw AuditException.badRequest('receivedOn must be a date');
    // One person under every id the index has merged: the report of either id holds what named the other.
    const personIds = await this.identities.samePersonIds(personId);
    const { searched, records } = await this.identities.linkedRecords(personIds);
    const events: AuditRow[] = await this.dataSource.query(
      'select * from audit_event where persons && $1::text[] order by seq',
      [personIds],
    );
    const disclosures = events.filter(
      (e) => e.decision !== null && DISCLOSURE_DECISIONS.includes(e.decision) && !e.operation.startsWith('dpo.'),
    );
    const otherEvents = events.filter((e) => !disclosures.includes(e) && !e.operation.startsWith('dpo.'));
    return {
      personId,
      personIds,
      generatedAt: new Date(),
      receivedOn: receivedOn ?? null,
      dueBy: receivedOn ? addCalendarMonth(receivedOn) : null,
      sourceRecordsSearched: searched,
      sourceRecords: records,
      disclosures,
      otherEvents,
    };
  }
}

export function addCalendarMonth(date: Date): Date {
  const due = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()));
  // 31 January is due on the last day of February, not in March (ICO guidance).
  if (due.getUTCDate() !== date.getUTCDate()) due.setUTCDate(0);
  return due;
}

const sarColumns = [
  'section',
  'seq',
  'time',
  'source',
  'source_key',
  'operation',
  'recipient',
  'organisation',
  'roles',
  'purpose',
  'case_reference',
  'agreement',
  'lawful_basis',
  'released',
  'withheld',
  'detail',
];

/** The report as one CSV, one row per source record or event, for a reply in a spreadsheet. */
export function subjectAccessCsv(report: SubjectAccessReport): string {
  const fields = (list: { source: string; field: string }[] | null) =>
    (list ?? []).map((f) => `${f.source}:${f.field}`).join(' | ');
  const event = (section: string) => (e: AuditRow) => [
    section,
    e.seq,
    new Date(e.occurred_at).toISOString(),
    '',
    '',
    e.operation,
    e.actor_subject ?? '',
    e.actor_organisation ?? '',
    (e.actor_roles ?? []).join(' '),
    e.purpose ?? '',
    e.case_reference ?? '',
    e.agreement_id ? `${e.agreement_id} v${e.agreement_version}` : '',
    e.basis ?? '',
    fields(e.released),
    fields(e.withheld),
    e.decision ?? '',
  ];
  const rows = [
    ...report.sourceRecords.map((r) => [
      'source-record',
      '',
      '',
      r.source,
      r.sourceKey,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      JSON.stringify(r.record),
    ]),
    ...report.disclosures.map(event('disclosure')),
    ...report.otherEvents.map(event('other-processing')),
  ];
  return stringify([sarColumns, ...rows.map((row) => row.map((value) => safeCell(String(value))))]);
}
