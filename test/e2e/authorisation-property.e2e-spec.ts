import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Principal, Role } from '../../src/engine/principal';
import { seeded } from '../support/identity-fixtures';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(300_000);

/**
 * A property of the whole hub, tried with random callers against random people: nothing a caller may not
 * see appears anywhere in the response (data, errors, extensions, cursors), and every response that
 * releases something about a person has its audit event.
 *
 * The oracle is independent of the policy code: what a request may show is what the audit trail says it
 * released. A value unique to one person (a name, a date of birth, a NINO, a source key) found anywhere in a
 * response must be covered by an audit event of that request naming that person and releasing that field;
 * a person's id must be one the caller gave or one an audit event of the request names.
 */
// A failing case is replayed with PROPERTY_SEED (the generator is seeded).
const SEED = Number(process.env.PROPERTY_SEED ?? 20261206);
const TRIALS = Number(process.env.PROPERTY_TRIALS ?? 80);

const ORGANISATIONS = ['council', 'nhs-trust', 'police', 'advice-charity', 'housing-association'];
const COUNCIL_ROLES = [Role.AccountManager, Role.Caseworker, Role.DataSteward, Role.Dpo, Role.Admin];
const PURPOSES = [
  'EARLY_HELP',
  'SAFEGUARDING',
  'HOUSING_NEED',
  'BENEFIT_ELIGIBILITY',
  'TELL_US_ONCE',
  'DATA_QUALITY',
  'NOT_A_PURPOSE',
];
const TEAMS = ['early-help-north', 'housing-options', 'children-east'];
const IDENTITY_FIELDS = ['givenName', 'familyName', 'dateOfBirth', 'nino', 'nhsNumber'] as const;

interface Secret {
  personId: string;
  /** The audited field that would release it, e.g. `identity.givenName`, or `index.sourceRecords` for a source key. */
  field: string;
  value: string;
}
interface AuditRow {
  persons: string[];
  released: { source: string; field: string }[];
}

/** Every object answering for a person: `person`, search results' and household members' `person`, `_entities`. */
function personsIn(data: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (value: unknown, key?: string) => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, key));
    if (!value || typeof value !== 'object') return;
    const entity = value as Record<string, unknown>;
    if ('id' in entity && (key === 'person' || (key === '_entities' && entity.__typename === 'Person'))) {
      const { __typename: _typename, ...person } = entity;
      found.push(person);
    }
    for (const [child, item] of Object.entries(value)) walk(item, child);
  };
  walk(data);
  return found;
}

describe('authorisation as a property: random callers, random people', () => {
  let hub: SingleViewHub;
  let people: string[];
  let secrets: Secret[];
  let households: Map<string, string>;
  let postcodes: Map<string, string>;
  const next = seeded(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 60, seed: 'property' });
    const query = <T>(sql: string, params: unknown[] = []) => hub.db.dataSource.query(sql, params) as Promise<T[]>;
    const persons = await query<{ id: string }>(`select id::text from person where status = 'active' order by id`);
    people = persons.map((p) => p.id);
    // Values of the identity fields (and source keys) held for exactly one person, long enough not to occur
    // by chance inside other text. "Exactly one" counts every field: one person's given name may be another's
    // middle name, and showing the second is no disclosure of the first.
    const rows = await query<{ person_id: string; field: string; value: string }>(
      `with v as (
         select l.person_id::text, f.key as field, f.value
           from person_link l join source_record r on r.id = l.source_record_id
           cross join jsonb_each_text(r.demographics) as f(key, value)
         union all
         select l.person_id::text, 'sourceKey', r.source_key from person_link l join source_record r on r.id = l.source_record_id)
       select distinct person_id, field, value from v
        where (field = any($1::text[]) or field = 'sourceKey') and length(value) >= 5
          and value in (select value from v group by value having count(distinct person_id) = 1)`,
      [IDENTITY_FIELDS],
    );
    secrets = rows.map((row) => ({
      personId: row.person_id,
      field: row.field === 'sourceKey' ? 'index.sourceRecords' : `identity.${row.field}`,
      value: row.value,
    }));
    households = new Map(
      (
        await query<{ person_id: string; household_id: string }>(
          `select person_id::text, household_id::text from household_membership where valid_to is null`,
        )
      ).map((row) => [row.person_id, row.household_id]),
    );
    postcodes = new Map(
      (
        await query<{ person_id: string; postcode: string }>(
          `select m.person_id::text, h.postcode from household_membership m join household h on h.id = m.household_id
            where m.valid_to is null and h.postcode is not null`,
        )
      ).map((row) => [row.person_id, row.postcode]),
    );
    // Some people on a council team's caseload, some on one user's, so that relationships vary.
    const assignments = hub.app.get(CaseAssignmentsService);
    const admin: Principal = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
    for (const [index, personId] of people.slice(0, 30).entries()) {
      if (index % 3 === 0)
        await assignments.assign({ subjectKind: 'person', subjectId: personId, team: pick(TEAMS) }, admin);
      if (index % 5 === 0)
        await assignments.assign(
          { subjectKind: 'person', subjectId: personId, team: 'early-help-north', userSubject: 'am-property' },
          admin,
        );
    }
  });
  afterAll(() => hub?.stop());

  /** Callers an agreement has in mind (the demo agreements' parties, roles and purposes), half the time; anyone otherwise. */
  const PLAUSIBLE: [Omit<DevTokenRequest, 'subject'>, string[]][] = [
    [
      { organisation: 'council', roles: [Role.AccountManager], team: 'early-help-north' },
      ['EARLY_HELP', 'HOUSING_NEED', 'TELL_US_ONCE'],
    ],
    [
      { organisation: 'council', roles: [Role.Caseworker], team: 'housing-options' },
      ['EARLY_HELP', 'HOUSING_NEED', 'SAFEGUARDING'],
    ],
    [{ organisation: 'nhs-trust', roles: [Role.PartnerAgency], client: 'nhs-safeguarding' }, ['SAFEGUARDING']],
    [{ organisation: 'advice-charity', roles: [Role.PartnerAgency], client: 'advice' }, ['BENEFIT_ELIGIBILITY']],
    [{ organisation: 'council', roles: [Role.DataSteward] }, ['DATA_QUALITY']],
  ];
  const caller = (): [DevTokenRequest, string] => {
    if (next() < 0.5) {
      const [who, purposes] = pick(PLAUSIBLE);
      return [{ ...who, subject: next() < 0.4 ? 'am-property' : `user-${Math.floor(next() * 1000)}` }, pick(purposes)];
    }
    return [anyone(), pick(PURPOSES)];
  };
  const anyone = (): DevTokenRequest => {
    const organisation = pick(ORGANISATIONS);
    const roles = organisation === 'council' ? [pick(COUNCIL_ROLES)] : [Role.PartnerAgency];
    return {
      subject: next() < 0.3 ? 'am-property' : `user-${Math.floor(next() * 1000)}`,
      organisation,
      roles,
      team: pick(TEAMS),
      client: `client-${organisation}`,
    };
  };
  const operation = (personId: string): string => {
    const known = secrets.filter((s) => s.personId === personId);
    const name = known.find((s) => s.field === 'identity.familyName');
    const dob = known.find((s) => s.field === 'identity.dateOfBirth');
    switch (Math.floor(next() * 5)) {
      case 0:
        return `{ person(id: "${personId}") { id exists holdingTeams givenName familyName dateOfBirth nino sourceRecords { source sourceKey } housing { tenancies { tenancyRef } } socialCare { childrenSocialCare { caseType } } } }`;
      case 1:
        return `{ household(id: "${households.get(personId) ?? randomUUID()}") { id postcode memberCount members { person { id givenName familyName dateOfBirth } } } }`;
      // The partner API's way in: a gateway resolving a person and their household by reference.
      case 2:
        return `{ _entities(representations: [{ __typename: "Person", id: "${personId}" }, { __typename: "Household", id: "${households.get(personId) ?? randomUUID()}" }]) { __typename ... on Person { id exists holdingTeams givenName familyName dateOfBirth nino sourceRecords { source sourceKey } } ... on Household { id postcode members { person { id givenName familyName dateOfBirth } } } } }`;
      case 3:
        return `{ householdsAtAddress(input: { postcode: ${JSON.stringify(postcodes.get(personId) ?? 'ZZ9 9ZZ')} }) { id postcode memberCount members { person { id givenName familyName dateOfBirth nino } } } }`;
      default:
        return `{ searchPeople(input: { familyName: ${JSON.stringify(name?.value ?? 'Nobody')}, dateOfBirth: ${JSON.stringify(dob?.value ?? '1970-01-01')}, first: 5 }) { edges { score person { id exists holdingTeams givenName familyName dateOfBirth } } pageInfo { endCursor hasNextPage } } }`;
    }
  };

  it(`releases nothing the audit trail does not account for (${TRIALS} trials, seed ${SEED})`, async () => {
    const problems: string[] = [];
    const outcomes = { released: 0, nothing: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const [who, purpose] = caller();
      const target = next() < 0.85 ? pick(people) : randomUUID();
      const query = operation(target);
      const requestId = randomUUID();
      const headers: Record<string, string> = { 'x-purpose': purpose, 'x-request-id': requestId };
      if (purpose === 'SAFEGUARDING' || next() < 0.5) headers['x-case-reference'] = `CASE-${trial}`;
      const res = await request(hub.server)
        .post('/graphql')
        .set('authorization', `Bearer ${await hub.token(who)}`)
        .set(headers)
        .send({ query });
      const audit = (await hub.db.dataSource.query(`select persons, released from audit_event where request_id = $1`, [
        requestId,
      ])) as AuditRow[];
      const released = (personId: string, field?: string) =>
        audit.some(
          (event) =>
            event.persons.includes(personId) &&
            event.released.some((r) => field === undefined || `${r.source}.${r.field}`.endsWith(field)),
        );
      outcomes[audit.some((event) => event.released.length > 0) ? 'released' : 'nothing'] += 1;
      const text = JSON.stringify(res.body);
      const cursors = [...text.matchAll(/"endCursor":"([^"]+)"/g)].map(([, cursor]) =>
        Buffer.from(cursor, 'base64').toString('latin1'),
      );
      const seen = [text, ...cursors].join('\n');
      const context = `trial ${trial}: ${JSON.stringify({ who, headers, query: query.slice(0, 60) })}`;
      for (const secret of secrets) {
        if (seen.includes(JSON.stringify(secret.value)) && !released(secret.personId, secret.field)) {
          problems.push(`${context}: ${secret.field} of ${secret.personId} appears without an audited release`);
        }
      }
      for (const personId of people) {
        if (personId !== target && seen.includes(personId) && !released(personId))
          problems.push(`${context}: id ${personId} appears without an audited release`);
      }
      for (const person of personsIn(res.body.data)) {
        const shown = Object.entries(person).filter(
          ([key, value]) => key !== 'id' && value !== null && !(Array.isArray(value) && value.length === 0),
        );
        if (shown.length > 0 && !released(String(person.id)))
          problems.push(
            `${context}: ${shown.map(([key]) => key).join(', ')} of ${person.id} released without an audit event`,
          );
      }
      for (const cursor of cursors)
        for (const personId of people)
          if (cursor.includes(personId)) problems.push(`${context}: a cursor decodes to person ${personId}`);
      if (problems.length > 5) break;
    }
    expect(problems).toEqual([]);
    // The sample must exercise both sides of the property, or it proves nothing.
    expect(outcomes.released).toBeGreaterThan(TRIALS / 10);
    expect(outcomes.nothing).toBeGreaterThan(TRIALS / 10);
  });
});
