import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { IdentityDecisionsService } from '../../src/identity/persons/identity-decisions.service';
import { breakAuditInserts } from '../support/audit-fixtures';
import { insertSourceRecords } from '../support/identity-fixtures';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

/**
 * The single view end to end: real tokens over HTTP, the real audit trail in PostgreSQL, and the three
 * sandbox source systems on loopback, synced and matched into persons and households beforehand.
 */

jest.setTimeout(120_000);

const admin = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const alice: DevTokenRequest = {
  subject: 'am-alice',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const bob: DevTokenRequest = {
  subject: 'am-bob',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-south',
};
const nhs: DevTokenRequest = {
  subject: 'nhs-safeguarding-system',
  organisation: 'nhs-trust',
  roles: [Role.PartnerAgency],
  client: 'nhs-safeguarding',
};
const steward: DevTokenRequest = { subject: 'ds-dana', organisation: 'council', roles: [Role.DataSteward] };

interface Member {
  person_id: string;
  sources: string[];
}
type GraphqlError = {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; source?: string; details?: { field?: string } };
};

const memberSelection = `
  role current
  person {
    id givenName familyName dateOfBirth
    services { housing benefits socialCare }
    housing { tenancies { tenancyRef tenure rentAccountStatus } }
    benefits { housingBenefitClaims { claimRef status weeklyAmount } councilTaxReductionClaims { status weeklyAmount } }
    socialCare { childrenSocialCare { caseType allocatedTeam } }
  }`;
const householdQuery = (id: string) =>
  `{ household(id: "${id}") { id uprn postcode memberCount multipleServicesInvolved members { ${memberSelection} } } }`;

describe('the single view (person and household, federated live from the sources)', () => {
  let hub: SingleViewHub;
  const tokens = new Map<string, string>();
  /** A household whose members are known to all three sources, one with a children's social care case. */
  let rich: { id: string; members: Member[]; child: string };
  /** The largest household. */
  let big: { id: string; members: Member[] };

  const ask = (who: string, query: string, headers: Record<string, string> = {}) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set('x-request-id', headers['x-request-id'] ?? randomUUID())
      .set(headers)
      .send({ query });

  const auditOf = (requestId: string) =>
    hub.db.dataSource.query(
      `select operation, decision, persons, released, withheld, agreement_id, agreement_version, basis, relationship_id, case_reference, reasons, detail
         from audit_event where request_id = $1 order by seq`,
      [requestId],
    ) as Promise<
      {
        operation: string;
        decision: string;
        persons: string[];
        released: { source: string; field: string }[];
        withheld: { source: string; field: string }[];
        agreement_id: string;
        basis: string;
        relationship_id: string | null;
        case_reference: string | null;
        detail: Record<string, unknown> | null;
      }[]
    >;

  const membersOf = async (householdId: string): Promise<Member[]> =>
    hub.db.dataSource.query(
      `select m.person_id::text, array_remove(array_agg(distinct r.source), null) as sources
         from household_membership m left join person_link l on l.person_id = m.person_id
         left join source_record r on r.id = l.source_record_id and not r.deleted
        where m.household_id = $1 and m.valid_to is null group by m.person_id order by m.person_id`,
      [householdId],
    );

  beforeAll(async () => {
    hub = await startSingleViewHub({
      households: 300,
      env: { SINGLE_VIEW_SOURCE_TIMEOUT_MS: '1500', SINGLE_VIEW_BREAKER_THRESHOLD: '50' },
    });
    for (const [name, who] of Object.entries({ alice, bob, nhs, steward })) tokens.set(name, await hub.token(who));

    const candidates: { household_id: string; care: string[] }[] = await hub.db.dataSource.query(`
      select m.household_id::text, array_agg(r.source_key) filter (where r.source = 'social-care') as care
        from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null and not r.deleted
       group by m.household_id having count(distinct r.source) filter (where r.source in ('housing', 'benefits', 'social-care')) = 3
       order by count(distinct m.person_id) desc, m.household_id`);
    for (const candidate of candidates) {
      const care = await hub.sources.adapters.get('social-care')!.fetchDetails(candidate.care);
      const childKey = [...care].find(([, records]) => records.some((r) => r.category === 'children-social-care'))?.[0];
      if (!childKey) continue;
      const [{ person_id: child }] = await hub.db.dataSource.query(
        `select l.person_id::text from person_link l join source_record r on r.id = l.source_record_id where r.source = 'social-care' and r.source_key = $1`,
        [childKey],
      );
      rich = { id: candidate.household_id, members: await membersOf(candidate.household_id), child };
      break;
    }
    if (!rich)
      throw new Error('the test borough has no household known to all three sources with a child in social care');
    // The largest household; of two as large, the one more sources know (household ids are random, so a
    // tie broken by id alone would pick a household one source holds on some runs and not on others).
    const [largest] = await hub.db.dataSource.query(
      `select m.household_id::text from household_membership m
         left join person_link l on l.person_id = m.person_id
         left join source_record r on r.id = l.source_record_id and not r.deleted
        where m.valid_to is null group by m.household_id
        order by count(distinct m.person_id) desc, count(distinct r.source) desc, m.household_id limit 1`,
    );
    big = { id: largest.household_id, members: await membersOf(largest.household_id) };

    const assignments = hub.app.get(CaseAssignmentsService);
    for (const household of [rich.id, big.id])
      await assignments.assign({ subjectKind: 'household', subjectId: household, team: 'early-help-north' }, admin);
  });
  afterAll(() => hub?.stop());
  beforeEach(() => hub.resetCalls());

  it('shows an account manager a household on their caseload across the three sources, in one call per source', async () => {
    const requestId = randomUUID();
    const res = await ask('alice', householdQuery(rich.id), {
      'x-purpose': 'EARLY_HELP',
      'x-request-id': requestId,
    }).expect(200);
    expect(res.body.errors).toBeUndefined();
    const household = res.body.data.household;
    expect(household).toMatchObject({ id: rich.id, memberCount: rich.members.length, multipleServicesInvolved: true });
    expect(household.uprn).toEqual(expect.any(String));
    expect(household.members.map((m: { person: { id: string } }) => m.person.id).sort()).toEqual(
      rich.members.map((m) => m.person_id).sort(),
    );

    const people = household.members.map(
      (m: { person: Record<string, { [k: string]: unknown[] } | null> }) => m.person,
    );
    expect(people.some((p: { housing: { tenancies: unknown[] } }) => p.housing.tenancies.length > 0)).toBe(true);
    expect(
      people.some(
        (p: { benefits: { housingBenefitClaims: unknown[]; councilTaxReductionClaims: unknown[] } }) =>
          p.benefits.housingBenefitClaims.length + p.benefits.councilTaxReductionClaims.length > 0,
      ),
    ).toBe(true);
    const child = people.find((p: { id: string }) => p.id === rich.child);
    expect(child.socialCare.childrenSocialCare).toEqual(
      expect.arrayContaining([expect.objectContaining({ caseType: 'children' })]),
    );
    expect(child.services.socialCare).toBe(true);

    // No N+1: each source was asked once for the whole household.
    for (const source of ['housing', 'benefits', 'social-care']) expect(hub.calls.get(source)).toHaveLength(1);

    // Every disclosure is in the audit trail, one event per member, before the answer left.
    const events = await auditOf(requestId);
    const views = events.filter((e) => e.operation === 'household.view');
    expect(views.map((e) => e.persons[0]).sort()).toEqual(rich.members.map((m) => m.person_id).sort());
    for (const event of views) {
      expect(event).toMatchObject({
        decision: 'allow',
        agreement_id: 'council-early-help',
        relationship_id: expect.any(String),
      });
      expect(event.released).toEqual(
        expect.arrayContaining([
          { source: 'hub', field: 'identity.givenName' },
          { source: 'housing', field: 'tenancy.tenure' },
          { source: 'benefits', field: 'housing-benefit-claim.weeklyAmount' },
          { source: 'social-care', field: 'children-social-care.caseType' },
        ]),
      );
      expect(event.basis).toMatch(/Art\. 9\(2\)\(g\)/);
    }
  });

  it('has the lookups on the wire before it starts on the audit events', async () => {
    // Order, not time: one counter stamps when each lookup's request is written to its socket (undici's
    // diagnostics channel) and when the hub starts on each household.view event.
    let tick = 0;
    const sent: number[] = [];
    const started: number[] = [];
    const onSent = () => sent.push(++tick);
    const audit = hub.app.get(AuditRecorder);
    const record = audit.record.bind(audit);
    const spy = jest.spyOn(audit, 'record').mockImplementation(async (event, manager) => {
      if (event.operation !== 'household.view') return record(event, manager);
      started.push(++tick);
      return record(event, manager);
    });
    // Once to warm the keep-alive connections (a new connection is written to when it opens), then measured.
    await ask('alice', householdQuery(rich.id), { 'x-purpose': 'EARLY_HELP' }).expect(200);
    started.length = 0;
    diagnostics.subscribe('undici:client:sendHeaders', onSent);
    try {
      const res = await ask('alice', householdQuery(rich.id), { 'x-purpose': 'EARLY_HELP' }).expect(200);
      expect(res.body.errors).toBeUndefined();
    } finally {
      diagnostics.unsubscribe('undici:client:sendHeaders', onSent);
      spy.mockRestore();
    }
    expect(sent).toHaveLength(3);
    expect(started).toHaveLength(rich.members.length);
    expect(Math.max(...sent)).toBeLessThan(Math.min(...started));
  });

  it('finds the households at an address by UPRN or postcode', async () => {
    const [{ uprn, postcode }] = await hub.db.dataSource.query('select uprn, postcode from household where id = $1', [
      rich.id,
    ]);
    const byUprn = await ask(
      'alice',
      `{ householdsAtAddress(input: { uprn: "${uprn}" }) { id uprn members { role } } }`,
      { 'x-purpose': 'EARLY_HELP' },
    ).expect(200);
    expect(byUprn.body.errors).toBeUndefined();
    expect(byUprn.body.data.householdsAtAddress).toEqual([expect.objectContaining({ id: rich.id, uprn })]);
    const byPostcode = await ask(
      'alice',
      `{ householdsAtAddress(input: { postcode: "${postcode.toLowerCase()}" }) { id } }`,
      { 'x-purpose': 'EARLY_HELP' },
    ).expect(200);
    expect(byPostcode.body.data.householdsAtAddress.map((h: { id: string }) => h.id)).toContain(rich.id);
    const bad = await ask('alice', '{ householdsAtAddress(input: {}) { id } }', { 'x-purpose': 'EARLY_HELP' }).expect(
      200,
    );
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('asks each source once however large the household', async () => {
    expect(big.members.length).toBeGreaterThanOrEqual(5);
    const res = await ask('alice', householdQuery(big.id), { 'x-purpose': 'EARLY_HELP' }).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.household.members).toHaveLength(big.members.length);
    for (const source of ['housing', 'benefits', 'social-care']) {
      const known = big.members.filter((m) => m.sources.includes(source)).length;
      expect(hub.calls.get(source)).toHaveLength(known > 0 ? 1 : 0);
      if (known > 0) expect(hub.calls.get(source)![0]).toBeGreaterThanOrEqual(known);
    }
    expect(hub.calls.get('housing')![0] + hub.calls.get('benefits')![0]).toBeGreaterThan(2);
  });

  it('gives an account manager without the case only the minimal answer, and asks no source', async () => {
    const member = rich.members[0].person_id;
    const person = await ask(
      'bob',
      `{ person(id: "${member}") { id exists holdingTeams givenName housing { tenancies { tenure } } } }`,
      { 'x-purpose': 'EARLY_HELP' },
    ).expect(200);
    expect(person.body.data.person).toEqual({
      id: member,
      exists: true,
      holdingTeams: ['early-help-north'],
      givenName: null,
      housing: null,
    });
    expect(person.body.errors.map((e: GraphqlError) => [e.path!.join('.'), e.extensions.code])).toEqual([
      ['person.givenName', 'WITHHELD_BY_POLICY'],
      ['person.housing', 'WITHHELD_BY_POLICY'],
    ]);
    expect(person.body.errors[0].message).toMatch(/no legitimate relationship/);

    const household = await ask('bob', householdQuery(rich.id), { 'x-purpose': 'EARLY_HELP' }).expect(200);
    expect(household.body.data.household).toMatchObject({ id: rich.id, uprn: null, memberCount: null, members: [] });
    expect(JSON.stringify(household.body.data)).not.toMatch(/givenName|"tenure"/);
    for (const source of ['housing', 'benefits', 'social-care']) expect(hub.calls.get(source)).toEqual([]);
  });

  it('holds a partner agency to its agreement and purpose, field by field', async () => {
    const query = `{ person(id: "${rich.child}") {
      givenName nhsNumber ninoMasked
      housing { tenancies { tenure rentAccountStatus } }
      benefits { housingBenefitClaims { status } }
      socialCare { childrenSocialCare { caseType } }
    } }`;
    // Without the case reference its agreement requires, the whole look-up is refused before anything is read.
    const noReference = await ask('nhs', query, { 'x-purpose': 'SAFEGUARDING' }).expect(200);
    expect(noReference.body.data.person).toBeNull();
    expect(noReference.body.errors[0].extensions.code).toBe('CASE_REFERENCE_REQUIRED');
    expect(noReference.body.errors[0].message).toMatch(/case reference/);

    const requestId = randomUUID();
    const res = await ask('nhs', query, {
      'x-purpose': 'SAFEGUARDING',
      'x-case-reference': 'SG-2026-0042',
      'x-request-id': requestId,
    }).expect(200);
    const person = res.body.data.person;
    expect(person.givenName).toEqual(expect.any(String));
    expect(person.ninoMasked).toBeNull();
    expect(person.benefits).toBeNull();
    expect(person.socialCare.childrenSocialCare).toEqual(expect.arrayContaining([{ caseType: 'children' }]));
    for (const tenancy of person.housing.tenancies) expect(tenancy.rentAccountStatus).toBeNull();
    const withheld = res.body.errors.map((e: GraphqlError) => e.extensions.details?.field);
    expect(withheld).toEqual(expect.arrayContaining(['hub.identity.ninoMasked', 'benefits.*']));
    expect(res.body.errors.every((e: GraphqlError) => e.extensions.code === 'WITHHELD_BY_POLICY')).toBe(true);
    // Benefits data was not released, so the benefits system was not even asked.
    expect(hub.calls.get('benefits')).toEqual([]);

    const [event] = (await auditOf(requestId)).filter((e) => e.operation === 'person.view');
    expect(event).toMatchObject({
      decision: 'allow-with-redactions',
      agreement_id: 'nhs-safeguarding',
      case_reference: 'SG-2026-0042',
    });
    expect(event.withheld).toEqual(
      expect.arrayContaining([
        { source: 'benefits', field: 'housing-benefit-claim.status' },
        { source: 'housing', field: 'tenancy.rentAccountStatus' },
      ]),
    );
  });

  it('refuses a query 20 levels deep before anything runs', async () => {
    let selection = 'id';
    for (let level = 0; level < 6; level++) selection = `household { members { person { ${selection} } } }`;
    const requestId = randomUUID();
    const res = await ask('alice', `{ person(id: "${rich.child}") { ${selection} } }`, {
      'x-purpose': 'EARLY_HELP',
      'x-request-id': requestId,
    }).expect(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors.map((e: GraphqlError) => e.extensions.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors.map((e: GraphqlError) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/depth/i)]),
    );
    expect(await auditOf(requestId)).toEqual([]);
    for (const source of ['housing', 'benefits', 'social-care']) expect(hub.calls.get(source)).toEqual([]);
  });

  it('does not let _entities bypass the policy or the audit trail', async () => {
    const member = rich.members[0].person_id;
    const entities = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on Person { id givenName housing { tenancies { tenure } } }
      ... on Household { id uprn members { person { givenName } } }
    } }`;
    const send = (who: string, requestId: string) =>
      request(hub.server)
        .post('/graphql')
        .set('authorization', `Bearer ${tokens.get(who)}`)
        .set({ 'x-purpose': 'EARLY_HELP', 'x-request-id': requestId })
        .send({
          query: entities,
          variables: {
            representations: [
              { __typename: 'Person', id: member },
              { __typename: 'Household', id: rich.id },
            ],
          },
        });

    const denied = randomUUID();
    const res = await send('bob', denied).expect(200);
    expect(res.body.data._entities).toEqual([
      { id: member, givenName: null, housing: null },
      { id: rich.id, uprn: null, members: [] },
    ]);
    expect(res.body.errors.every((e: GraphqlError) => e.extensions.code === 'WITHHELD_BY_POLICY')).toBe(true);
    for (const source of ['housing', 'benefits', 'social-care']) expect(hub.calls.get(source)).toEqual([]);
    const events = await auditOf(denied);
    expect(events.find((e) => e.operation === 'person.view')).toMatchObject({ decision: 'deny', persons: [member] });
    expect(events.filter((e) => e.operation === 'household.view').every((e) => e.decision === 'deny')).toBe(true);

    const allowed = await send('alice', randomUUID()).expect(200);
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data._entities[0].givenName).toEqual(expect.any(String));
    expect(allowed.body.data._entities[1].members.length).toBe(rich.members.length);
  });

  it('finds "Jon Smyth" for John Smith, ranked, with scores and a cursor', async () => {
    const [recordId] = await insertSourceRecords(hub.db.dataSource, [
      {
        source: 'benefits',
        fields: {
          givenName: 'John',
          familyName: 'Smith',
          dateOfBirth: '1979-04-12',
          postcode: 'NE1 4ST',
          nino: 'QQ123456C',
        },
      },
    ]);
    await hub.app.get(IdentityIndexService).matchPending();
    const [{ person_id: smith }] = await hub.db.dataSource.query(
      'select person_id::text from person_link where source_record_id = $1',
      [recordId],
    );

    const search = (input: string) =>
      ask(
        'steward',
        `{ searchPeople(input: { ${input} }) { edges { cursor score person { id exists givenName familyName } } pageInfo { hasNextPage endCursor } } }`,
        { 'x-purpose': 'DATA_QUALITY' },
      );
    const res = await search('name: "Jon Smyth"').expect(200);
    expect(res.body.errors).toBeUndefined();
    const [top] = res.body.data.searchPeople.edges;
    expect(top.person).toEqual({ id: smith, exists: true, givenName: 'John', familyName: 'Smith' });
    expect(top.score).toBeGreaterThanOrEqual(0.8);

    const withDob = await search('name: "Jon Smyth", dateOfBirth: "1979-12-04"').expect(200);
    expect(withDob.body.data.searchPeople.edges[0].person.id).toBe(smith);
    const byNino = await search('nino: "qq 12 34 56 c"').expect(200);
    expect(byNino.body.data.searchPeople.edges.map((e: { person: { id: string } }) => e.person.id)).toEqual([smith]);

    const page = await search('name: "Amelia Patel", first: 1').expect(200);
    const first = page.body.data.searchPeople;
    if (first.pageInfo.hasNextPage) {
      const next = await search(`name: "Amelia Patel", first: 1, after: "${first.pageInfo.endCursor}"`).expect(200);
      const [a, b] = [first.edges[0], next.body.data.searchPeople.edges[0]];
      expect(b.person.id).not.toBe(a.person.id);
      expect(b.score).toBeLessThanOrEqual(a.score);
    }

    const bad = await search('dateOfBirth: "1979-02-31"').expect(200);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const nothing = await search('postcode: "not a postcode"').expect(200);
    expect(nothing.body.errors[0].message).toMatch(/postcode/);
  });

  it('answers a search from an account manager off the caseload with existence and holding team only', async () => {
    const [{ member, given, family, dob }] = await hub.db.dataSource.query(
      `select l.person_id::text as member, r.demographics ->> 'givenName' as given, r.demographics ->> 'familyName' as family,
              r.demographics ->> 'dateOfBirth' as dob
         from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = any($1::uuid[]) and r.demographics ?& array['givenName', 'familyName', 'dateOfBirth'] order by l.person_id, r.id limit 1`,
      [rich.members.map((m) => m.person_id)],
    );
    // Without the case, a search needs a name and one more identifying attribute, and gives no score.
    const res = await ask(
      'bob',
      `{ searchPeople(input: { givenName: "${given}", familyName: "${family}", dateOfBirth: "${dob}" }) { edges { score person { id exists holdingTeams givenName } } } }`,
      {
        'x-purpose': 'EARLY_HELP',
      },
    ).expect(200);
    const edge = res.body.data.searchPeople.edges.find((e: { person: { id: string } }) => e.person.id === member);
    expect(edge.person).toEqual({ id: member, exists: true, holdingTeams: ['early-help-north'], givenName: null });
    expect(edge.score).toBeNull();
  });

  it('answers a merged id with the person it was merged into', async () => {
    const [a, b] = big.members.map((m) => m.person_id);
    const decisions = hub.app.get(IdentityDecisionsService);
    // Two members of one household hold no NINO or NHS number in common: a second steward approves the merge.
    const { mergeRequest } = await decisions.merge(
      a,
      b,
      { subject: 'ds-dana', organisation: 'council', roles: [Role.DataSteward] },
      'Test: same person',
    );
    await decisions.approveMerge(mergeRequest!.id, {
      subject: 'ds-eli',
      organisation: 'council',
      roles: [Role.DataSteward],
    });
    const res = await ask('steward', `{ person(id: "${b}") { id givenName sourceRecords { source sourceKey } } }`, {
      'x-purpose': 'DATA_QUALITY',
    }).expect(200);
    expect(res.body.data.person.id).toBe(a);
    expect(res.body.data.person.sourceRecords.length).toBeGreaterThan(0);
  });

  it('releases nothing of a person, a household or a search result when the audit trail cannot take the events', async () => {
    const [{ member }] = await hub.db.dataSource.query(
      `select l.person_id::text as member from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = any($1::uuid[]) and r.demographics ? 'dateOfBirth' order by l.person_id limit 1`,
      [rich.members.filter((m) => m.sources.includes('housing')).map((m) => m.person_id)],
    );
    const personQuery = `{ person(id: "${member}") { id givenName familyName dateOfBirth housing { tenancies { tenancyRef } } } }`;
    const before = await ask('alice', personQuery, { 'x-purpose': 'EARLY_HELP' }).expect(200);
    const { givenName, familyName, dateOfBirth } = before.body.data.person;
    expect(before.body.data.person.housing.tenancies.length).toBeGreaterThan(0);

    const restore = await breakAuditInserts(hub.db.dataSource);
    try {
      const search = `{ searchPeople(input: { givenName: "${givenName}", familyName: "${familyName}", dateOfBirth: "${dateOfBirth}" }) { edges { person { id givenName familyName } } } }`;
      // searchPeople is non-null, so its null takes the whole `data` with it.
      for (const [field, query, data] of [
        ['person', personQuery, { person: null }],
        ['household', householdQuery(rich.id), { household: null }],
        ['searchPeople', search, null],
      ] as const) {
        const requestId = randomUUID();
        const res = await ask('alice', query, { 'x-purpose': 'EARLY_HELP', 'x-request-id': requestId }).expect(200);
        expect(res.body.data).toEqual(data);
        expect(res.body.errors).toEqual([
          expect.objectContaining({
            path: [field],
            extensions: expect.objectContaining({ code: 'AUDIT_UNAVAILABLE', requestId }),
          }),
        ]);
        for (const value of [member, givenName, familyName, rich.id])
          expect(JSON.stringify(res.body)).not.toContain(value);
        expect(await auditOf(requestId)).toEqual([]);
      }
    } finally {
      await restore();
    }
    const after = await ask('alice', personQuery, { 'x-purpose': 'EARLY_HELP' }).expect(200);
    expect(after.body.data.person).toEqual(before.body.data.person);
  });

  it('gives a partial answer naming the source when one is stopped mid-test', async () => {
    await hub.sources.sandbox('social-care').close();
    const requestId = randomUUID();
    const res = await ask('alice', householdQuery(rich.id), {
      'x-purpose': 'EARLY_HELP',
      'x-request-id': requestId,
    }).expect(200);
    const people = res.body.data.household.members.map((m: { person: { id: string } }) => m.person);
    const child = people.find((p: { id: string }) => p.id === rich.child);
    expect(child.socialCare).toBeNull();
    expect(child.givenName).toEqual(expect.any(String));
    expect(
      people.some((p: { housing: { tenancies: unknown[] } | null }) => (p.housing?.tenancies.length ?? 0) > 0),
    ).toBe(true);
    const unavailable = res.body.errors.filter((e: GraphqlError) => e.extensions.code === 'SOURCE_UNAVAILABLE');
    expect(unavailable.length).toBeGreaterThan(0);
    expect(
      unavailable.every((e: GraphqlError) => e.extensions.source === 'social-care' && e.path!.at(-1) === 'socialCare'),
    ).toBe(true);
    expect(res.body.errors.filter((e: GraphqlError) => e.extensions.code !== 'SOURCE_UNAVAILABLE')).toEqual([]);

    const failure = (await auditOf(requestId)).find((e) => e.operation === 'single-view.source-unavailable');
    expect(failure).toMatchObject({ decision: 'error', detail: { source: 'social-care', reason: expect.any(String) } });
    expect(failure!.persons).toContain(rich.child);
    expect(failure!.withheld).toEqual(
      expect.arrayContaining([{ source: 'social-care', field: 'children-social-care.caseType' }]),
    );
  });
});
