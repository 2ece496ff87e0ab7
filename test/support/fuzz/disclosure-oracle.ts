import { DataSource } from 'typeorm';

/**
 * "Nothing is released without audit", checked from outside the policy code (the idea of
 * test/e2e/authorisation-property.e2e-spec.ts): a value held for exactly one person found anywhere in an
 * answer must be covered by an audit event of that request naming that person; so must a person's id the
 * caller did not send, unless the answer is the DPO's own audited look at the trail, which names people by id.
 */
export interface DisclosureOracle {
  /** Problems with one answer; reads the audit trail only when the answer shows something of someone. */
  problems(requestId: string, sent: string, answer: string): Promise<string[]>;
  /** Answers that showed something of someone, all of them audited or reported. */
  readonly disclosures: number;
}

const IDENTITY_FIELDS = ['givenName', 'familyName', 'dateOfBirth', 'nino', 'nhsNumber'];

export async function disclosureOracle(db: DataSource): Promise<DisclosureOracle> {
  const persons = ((await db.query(`select id::text from person`)) as { id: string }[]).map((row) => row.id);
  // Values of the identity fields held for exactly one person, long enough not to occur by chance inside
  // other text. "Exactly one" counts every field of every record: a given name of one person may be another's
  // middle name, and showing the second is no disclosure of the first.
  const secrets = (await db.query(
    `with v as (
       select l.person_id::text, f.key as field, f.value
         from person_link l join source_record r on r.id = l.source_record_id
         cross join jsonb_each_text(r.demographics) as f(key, value))
     select distinct person_id, value from v
      where field = any($1::text[]) and length(value) >= 6
        and value in (select value from v group by value having count(distinct person_id) = 1)`,
    [IDENTITY_FIELDS],
  )) as { person_id: string; value: string }[];
  let disclosures = 0;
  return {
    get disclosures() {
      return disclosures;
    },
    async problems(requestId, sent, answer) {
      const ids = new Set(persons.filter((id) => answer.includes(id) && !sent.includes(id)));
      const held = new Set(
        secrets
          .filter((secret) => answer.includes(JSON.stringify(secret.value)) && !sent.includes(secret.value))
          .map((secret) => secret.person_id),
      );
      if (ids.size === 0 && held.size === 0) return [];
      disclosures += 1;
      const events = (await db.query(`select operation, persons from audit_event where request_id = $1`, [
        requestId,
      ])) as { operation: string; persons: string[] | null }[];
      const named = new Set(events.flatMap((event) => event.persons ?? []));
      // The trail itself names people by id: a DPO's look at it (`dpo.*`, itself audited) shows those ids.
      const trailRead = events.some((event) => event.operation.startsWith('dpo.'));
      return [
        ...[...held]
          .filter((id) => !named.has(id))
          .map((id) => `a value held only for person ${id} shown without an audit event naming them`),
        ...[...ids]
          .filter((id) => !named.has(id) && !trailRead)
          .map((id) => `the id of person ${id} shown without an audit event naming them`),
      ];
    },
  };
}
