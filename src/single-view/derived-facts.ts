import { releasesDerivedFrom } from '../access/policy/derived-fields';
import type { Decision } from '../access/policy/policy.types';
import { goldenIdentity, GoldenIdentity, GoldenValue } from '../identity/persons/golden-identity';
import { identityRef } from './field-refs';
import type { IdentityProvenanceModel, LinkedSourceRecordModel, MatchExplanationModel } from './models/person.model';
import type { HoldingTeam } from '../access/relationships/case-assignments.service';
import type { IndexedPerson, LinkedRecord } from '../identity/directory/person-directory.service';

/**
 * The entries of the hub's derived fields (holding teams, the steward's view of the index) that a decision
 * lets go with them: an entry derived from a special-category source (its record, its team) goes only
 * where the decision says what is derived from that source may (`Decision.derivedSources`), and neither do
 * counts that include it.
 */

/** The names of the teams holding a case, without those of services whose facts may not go. */
export function releasedTeams(decision: Decision, teams: readonly HoldingTeam[]): string[] {
  const names = teams.filter((t) => t.source === null || releasesDerivedFrom(decision, t.source)).map((t) => t.team);
  return [...new Set(names)].sort();
}

/** The person's linked records whose source may be named. */
export function releasedRecords(decision: Decision, records: readonly LinkedRecord[]): LinkedRecord[] {
  return records.filter((r) => releasesDerivedFrom(decision, r.source));
}

export function sourceRecordsOf(decision: Decision, person: IndexedPerson): LinkedSourceRecordModel[] {
  return releasedRecords(decision, person.records).map((r) => ({
    source: r.source,
    sourceKey: r.sourceKey,
    lastSeen: r.lastSeen,
  }));
}

/**
 * Why each record shown is linked. A record linked through one that may not be shown is left out too: its
 * weights compare it with that record.
 */
export function matchExplanationOf(decision: Decision, person: IndexedPerson): MatchExplanationModel[] {
  const shown = releasedRecords(decision, person.records);
  const complete = shown.length === person.records.length;
  const shownIds = new Set(shown.map((r) => r.recordId));
  return shown
    .filter((r) => complete || !viaOf(r) || shownIds.has(viaOf(r)!))
    .map((r) => ({
      source: r.source,
      sourceKey: r.sourceKey,
      method: r.method,
      weight: r.weight,
      probability: r.probability,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
      explanation: r.explanation === null || r.explanation === undefined ? null : JSON.stringify(r.explanation),
    }));
}

function viaOf(record: LinkedRecord): string | undefined {
  const via = (record.explanation as { via?: unknown } | null | undefined)?.via;
  return typeof via === 'string' ? via : undefined;
}

/**
 * Where each golden value whose field the decision released came from (`fields`: golden field → the
 * identity fields that release its value). When some records may not be named, the values are weighed
 * again over those that may: a value is shown with the counts of the records shown, and left out when it
 * came from a record not shown or was chosen with the weight of one (the counts would tell of it).
 */
export function provenanceOf(
  decision: Decision,
  person: IndexedPerson,
  fields: Record<string, string[]>,
): IdentityProvenanceModel[] {
  const shown = releasedRecords(decision, person.records);
  const visible: GoldenIdentity = shown.length === person.records.length ? person.golden : goldenIdentity(shown);
  const out: IdentityProvenanceModel[] = [];
  for (const [field, refs] of Object.entries(fields)) {
    const value = golden(person.golden, field);
    if (!value || !refs.some((f) => decision.released.includes(identityRef(f)))) continue;
    const seen = golden(visible, field);
    if (!seen || seen.source !== value.source || seen.sourceKey !== value.sourceKey) continue;
    out.push({
      field,
      source: seen.source,
      sourceKey: seen.sourceKey,
      rule: seen.rule,
      agreeing: seen.agreeing,
      holding: seen.holding,
    });
  }
  return out;
}

function golden(identity: GoldenIdentity, field: string): GoldenValue<unknown> | undefined {
  const value = identity[field as keyof GoldenIdentity];
  return value && !Array.isArray(value) ? value : undefined;
}
