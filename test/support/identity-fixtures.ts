import { DataSource } from 'typeorm';
import { seededRandom } from '../../src/identity/matching/random';
import { IdentityFields } from '../../src/sources/identity-fields';

const GIVEN = [
  'Oliver',
  'Amelia',
  'Harry',
  'Isla',
  'Jack',
  'Ava',
  'George',
  'Mia',
  'Noah',
  'Grace',
  'Leo',
  'Freya',
  'Arthur',
  'Lily',
  'Oscar',
  'Ella',
  'Charlie',
  'Evie',
  'Jacob',
  'Poppy',
];
const FAMILY = [
  'Okafor',
  'Patel',
  'Nowak',
  'Hughes',
  'Campbell',
  'Begum',
  'Murphy',
  'Kowalski',
  'Adeyemi',
  'Fletcher',
  'Dunmore',
  'Whitlock',
  'Ashworth',
  'Pemberton',
  'Thackeray',
  'Rushworth',
  'Greenhalgh',
  'Ormerod',
  'Sutcliffe',
  'Holroyd',
];

/** A small deterministic random source (the matcher's own), so fixtures are the same on every run. */
export const seeded = seededRandom;

export interface FixturePerson {
  truth: number;
  fields: IdentityFields;
}

/**
 * `count` distinct people with full identities (each at their own address), for matching tests. Names
 * are drawn so that no two share given name, family name and date of birth.
 */
export function fixturePeople(count: number, seed = 1): FixturePerson[] {
  const random = seeded(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, truth) => {
    const year = 1940 + Math.floor(random() * 65);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const pad = (n: number) => String(n).padStart(2, '0');
    return {
      truth,
      fields: {
        givenName: pick(GIVEN),
        familyName: pick(FAMILY),
        dateOfBirth: `${year}-${pad(month)}-${pad(day)}`,
        uprn: String(100000 + truth),
        postcode: `LS${1 + (truth % 9)} ${1 + (truth % 7)}${pick(['AB', 'CD', 'EF', 'GH'])}`,
        addressLines: [`${1 + truth} ${pick(['High Street', 'Mill Lane', 'Church Road', 'Park Avenue'])}`],
      },
    };
  });
}

/** A second source's copy of a person: the same identity with one realistic slip. */
export function noisyCopy(fields: IdentityFields, random: () => number): IdentityFields {
  const copy = { ...fields };
  const slip = Math.floor(random() * 4);
  if (slip === 0 && copy.givenName) copy.givenName = copy.givenName.toUpperCase();
  if (slip === 1 && copy.familyName)
    copy.familyName = copy.familyName.slice(0, -1) + (copy.familyName.endsWith('e') ? 'a' : 'e');
  if (slip === 2) delete copy.uprn;
  if (slip === 3 && copy.dateOfBirth) {
    const [y, m, d] = copy.dateOfBirth.split('-');
    if (Number(d) <= 12) copy.dateOfBirth = `${y}-${d}-${m}`;
  }
  return copy;
}

let keyCounter = 0;

/** Inserts source records as the sync would (pending matching); returns their ids. */
export async function insertSourceRecords(
  db: DataSource,
  rows: { source: string; fields: IdentityFields }[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const result: { id: string }[] = await db.query(
    `insert into source_record (source, source_key, demographics, content_hash)
     select source, key, demographics, md5(demographics::text)
       from unnest($1::text[], $2::text[], $3::jsonb[]) as t(source, key, demographics)
     returning id::text`,
    [rows.map((r) => r.source), rows.map(() => `K${++keyCounter}`), rows.map((r) => JSON.stringify(r.fields))],
  );
  return result.map((r) => r.id);
}

/** Changes a record as a sync that saw it change would: new demographics, back in the matching queue. */
export async function updateSourceRecord(db: DataSource, id: string, fields: IdentityFields): Promise<void> {
  await db.query(
    `update source_record set demographics = $2::jsonb, content_hash = md5($2::text), match_status = 'pending',
       changed_at = now(), change_seq = nextval('source_record_change_seq') where id = $1`,
    [id, JSON.stringify(fields)],
  );
}
