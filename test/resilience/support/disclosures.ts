import type { DataSource } from 'typeorm';
import { CATEGORY_FIELDS } from '../../../src/single-view/models/service-records.model';
import { LIVE_SOURCES } from '../../../src/single-view/field-refs';

/** A released field as the audit trail names it. */
export interface AuditedField {
  source: string;
  field: string;
}

export interface AuditRow {
  seq: string;
  operation: string;
  decision: string;
  persons: string[];
  released: AuditedField[] | null;
  withheld: AuditedField[] | null;
  request_id: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * A person's selection that asks for identity, involvement and live data of every source: all of it
 * released to a council account manager for EARLY_HELP on a case of theirs (the demo agreements), so a
 * healthy answer has no error at all.
 */
export const personSelection = `
  id givenName familyName dateOfBirth
  services { housing benefits socialCare }
  housing { tenancies { tenancyRef tenure rentAccountStatus } homelessnessApplications { status } }
  benefits { housingBenefitClaims { claimRef status weeklyAmount } councilTaxReductionClaims { status weeklyAmount } }
  socialCare { childrenSocialCare { caseType allocatedTeam } }`;

const identityFields = ['givenName', 'familyName', 'dateOfBirth', 'middleNames', 'nhsNumber', 'ninoMasked', 'postcode'];

/**
 * Every field of personal data a person object in an answer carries (a value that is not null), named as
 * the audit trail names released fields: `hub` / `identity.givenName`, `housing` / `tenancy.tenure`, and
 * `<source>` / `involvement.known` for the services flags.
 */
export function releasedIn(person: Record<string, unknown>): AuditedField[] {
  const out: AuditedField[] = [];
  for (const field of identityFields)
    if (person[field] !== null && person[field] !== undefined) out.push({ source: 'hub', field: `identity.${field}` });
  const services = person.services as Record<string, unknown> | null | undefined;
  for (const [graphqlField, source] of Object.entries(LIVE_SOURCES)) {
    if (services && services[graphqlField] !== null && services[graphqlField] !== undefined)
      out.push({ source, field: 'involvement.known' });
    const records = person[graphqlField] as Record<string, Record<string, unknown>[] | null> | null | undefined;
    if (!records) continue;
    for (const [list, category] of Object.entries(CATEGORY_FIELDS[source])) {
      for (const record of records[list] ?? []) {
        for (const [field, value] of Object.entries(record))
          if (value !== null && value !== undefined) out.push({ source, field: `${category}.${field}` });
      }
    }
  }
  return dedupe(out);
}

/** Live data of a source in the answer (any non-null list under its field). */
export function liveDataOf(person: Record<string, unknown>, graphqlField: keyof typeof LIVE_SOURCES): boolean {
  const records = person[graphqlField] as Record<string, unknown[] | null> | null | undefined;
  return !!records && Object.values(records).some((list) => Array.isArray(list));
}

export async function auditOf(dataSource: DataSource, requestIds: readonly string[]): Promise<Map<string, AuditRow[]>> {
  const rows: AuditRow[] = await dataSource.query(
    `select seq::text, operation, decision, persons, released, withheld, request_id, detail
       from audit_event where request_id = any($1::text[]) order by seq`,
    [requestIds],
  );
  const byRequest = new Map<string, AuditRow[]>();
  for (const row of rows) byRequest.set(row.request_id!, [...(byRequest.get(row.request_id!) ?? []), row]);
  return byRequest;
}

/**
 * The fields of `person` in an answer that no view event of that request released for that person: empty
 * when everything the answer carries was audited before it left.
 */
export function unaudited(person: Record<string, unknown>, events: readonly AuditRow[]): AuditedField[] {
  const views = events.filter(
    (e) =>
      (e.operation === 'person.view' || e.operation === 'household.view') &&
      e.persons[0] === person.id &&
      e.decision.startsWith('allow'),
  );
  const audited = new Set(views.flatMap((e) => (e.released ?? []).map((r) => `${r.source}/${r.field}`)));
  return releasedIn(person).filter((r) => !audited.has(`${r.source}/${r.field}`));
}

function dedupe(fields: AuditedField[]): AuditedField[] {
  const seen = new Map<string, AuditedField>();
  for (const f of fields) seen.set(`${f.source}/${f.field}`, f);
  return [...seen.values()];
}
