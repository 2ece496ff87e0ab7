import request from 'supertest';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { HouseholdsService } from '../../src/households/households.service';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { PairScore } from '../../src/identity/matching/match-model';
import { IdentityFields } from '../../src/sources/identity-fields';
import { HouseholdHint } from '../../src/sources/source-adapter';
import { duplicates } from '../resilience/support/index-snapshot';
import { fixturePeople, noisyCopy, seeded } from '../support/identity-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * A child reported born (Tell Us Once) is matched like a source record (docs/person-index.md): when a
 * source later sends the child's record, the record joins the reported child, by the same model, rules
 * and explanation as between two records; an uncertain pair goes to a data steward; twins stay two
 * people; a withdrawn birth attracts no records. Over HTTP against the real hub and PostgreSQL; the
 * sources' records are written as the sync writes them and matched as after every sync.
 */
// oxlint-disable-next-line typescript/no-explicit-any
type Loose = Record<string, any>;

describe('a child reported born, matched when a source sends their record', () => {
  let hub: TestHub;
  const tokens: Record<string, string> = {};

  const gql = (who: string, query: string, variables: Record<string, unknown> = {}) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens[who]}`)
      .send({ query, variables })
      .expect(200)
      .then((res) => res.body as { data?: Loose; errors?: { message: string; extensions: Loose }[] });
  const sql = <T = Loose>(text: string, params: unknown[] = []) =>
    hub.db.dataSource.query(text, params) as Promise<T[]>;

  /** Source records as the sync leaves them (pending matching), with household hints. */
  const records = async (rows: { source: string; key: string; fields: IdentityFields; hints?: HouseholdHint[] }[]) => {
    await sql(
      `insert into source_record (source, source_key, demographics, household_hints, content_hash)
       select source, key, demographics, hints, md5(demographics::text)
         from unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[]) as t(source, key, demographics, hints)`,
      [
        rows.map((r) => r.source),
        rows.map((r) => r.key),
        rows.map((r) => JSON.stringify(r.fields)),
        rows.map((r) => JSON.stringify(r.hints ?? [])),
      ],
    );
  };
  /** What runs after every sync: the pending records matched, households resolved. */
  const afterSync = async () => {
    await hub.app.get(IdentityIndexService).matchPending();
    await hub.app.get(HouseholdsService).resolveAll();
  };
  const linkOf = async (source: string, key: string) =>
    (
      await sql<{ person_id: string; method: string; explanation: Loose | null; record_id: string }>(
        `select l.person_id::text, l.method, l.explanation, r.id::text as record_id
           from person_link l join source_record r on r.id = l.source_record_id where r.source = $1 and r.source_key = $2`,
        [source, key],
      )
    )[0];
  const personOf = async (source: string, key: string) => (await linkOf(source, key))?.person_id;
  const reportedIdentityOf = async (eventId: string) =>
    (
      await sql<{ id: string; person_id: string; fields: IdentityFields }>(
        `select x.id::text, x.person_id::text, x.fields from person_reported_identity x
           join life_event e on e.id = x.event_id and e.person_id = x.person_id where x.event_id = $1`,
        [eventId],
      )
    )[0];
  /** The score the model gives a record and a reported identity: what it gives two source records holding them. */
  const scoreOf = async (record: IdentityFields, reported: IdentityFields): Promise<PairScore> => {
    const matcher = (await hub.app.get(IdentityIndexService).model())!;
    return matcher.scorePair(
      { id: '1', source: 'housing', fields: record },
      { id: '2', source: 'hub', fields: reported },
    );
  };

  const REPORT = `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) { id status personId } }`;
  const reportBirth = async (evidenceReference: string, child: Loose, date = '2026-03-14') => {
    const body = await gql('registrar', REPORT, {
      input: { type: 'BIRTH', date, evidenceReference, parentIds: [parentId], child },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.reportLifeEvent.status).toBe('ACCEPTED');
    return body.data!.reportLifeEvent as { id: string; personId: string };
  };

  const parent: IdentityFields = {
    givenName: 'Marguerite',
    familyName: 'Oyelaran',
    dateOfBirth: '1991-05-17',
    sex: 'F',
  };
  const home = { uprn: '910001', postcode: 'LS6 2QT', addressLines: ['14 Hollin Lane'] };
  const tenancy = (role: string): HouseholdHint => ({ kind: 'tenancy', groupKey: 'T-OY', role });
  /** The child's record as housing holds it once it added the child to the tenancy. */
  const childRecord = (givenName: string, dateOfBirth: string, sex: 'F' | 'M'): IdentityFields => ({
    givenName,
    familyName: parent.familyName,
    dateOfBirth,
    sex,
    ...home,
  });
  let parentId: string;

  beforeAll(async () => {
    hub = await startTestHub({ RATE_LIMIT_PER_MINUTE: '0' });
    const issuer = hub.app.get(DevTokenIssuer);
    tokens.registrar = await issuer.issue({
      subject: 'reg-rose',
      organisation: 'council',
      roles: [Role.Registrar],
      team: 'registration',
    });
    tokens.steward = await issuer.issue({ subject: 'ds-sam', organisation: 'council', roles: [Role.DataSteward] });
    tokens.steward2 = await issuer.issue({ subject: 'ds-pat', organisation: 'council', roles: [Role.DataSteward] });
    await hub.app.get(AccessSeedService).seedDemo();
    // A borough whose sources hold the same people with the usual slips, twins and a father and son among
    // them (as test/integration/identity-index.int-spec.ts): the model is trained on it as on any data.
    const random = seeded(7);
    const borough: { source: string; key: string; fields: IdentityFields }[] = [];
    for (const person of fixturePeople(150, 3)) {
      borough.push({ source: 'housing', key: `H${person.truth}`, fields: person.fields });
      if (random() < 0.7)
        borough.push({ source: 'benefits', key: `B${person.truth}`, fields: noisyCopy(person.fields, random) });
      if (random() < 0.4)
        borough.push({ source: 'social-care', key: `S${person.truth}`, fields: noisyCopy(person.fields, random) });
    }
    const twinsHome = { uprn: '900001', postcode: 'LS6 3AB', addressLines: ['9 Cardigan Road'] };
    const fatherSonHome = { uprn: '900002', postcode: 'LS7 1AA', addressLines: ['2 Chapel Lane'] };
    const hard: Record<string, IdentityFields> = {
      T1: { givenName: 'Amira', familyName: 'Haddad', dateOfBirth: '2012-04-09', ...twinsHome },
      T2: { givenName: 'Samir', familyName: 'Haddad', dateOfBirth: '2012-04-09', ...twinsHome },
      W1: { givenName: 'David', familyName: 'Whitaker', dateOfBirth: '1958-02-11', ...fatherSonHome },
      W2: { givenName: 'David', familyName: 'Whitaker', dateOfBirth: '1986-07-30', ...fatherSonHome },
    };
    for (const [key, fields] of Object.entries(hard))
      borough.push({ source: 'housing', key: `H-${key}`, fields }, { source: 'benefits', key: `B-${key}`, fields });
    await records([
      ...borough,
      { source: 'housing', key: 'H-MAR', fields: { ...parent, ...home }, hints: [tenancy('tenant')] },
    ]);
    await afterSync();
    parentId = (await personOf('housing', 'H-MAR'))!;
    if (!parentId) throw new Error('fixture: the parent is not in the index');
  }, 120_000);
  afterAll(() => hub?.stop());

  it('links the child’s record to the reported child: one person, the link explained by the same model', async () => {
    const event = await reportBirth('GRO:BI-2026-7001', { givenName: 'Ottoline', familyName: 'Oyelaran', sex: 'F' });
    const reported = (await reportedIdentityOf(event.id))!;
    expect(reported.person_id).toBe(event.personId);
    // Housing added the child to the tenancy (the birth notice); the next sync brings the record.
    const record = childRecord('Ottoline', '2026-03-14', 'F');
    await records([{ source: 'housing', key: 'H-OTT', fields: record, hints: [tenancy('household-member')] }]);
    await afterSync();

    const link = (await linkOf('housing', 'H-OTT'))!;
    expect(link.person_id).toBe(event.personId);
    const expected = await scoreOf(record, reported.fields);
    expect(expected.decision).toBe('link');
    expect(['auto', 'deterministic']).toContain(link.method);
    // Explained: through the reported identity (its id as a record of the hub's) and the life event.
    expect(link.explanation).toMatchObject({
      via: `-${reported.id}`,
      viaReportedEvent: event.id,
      weight: expected.weight,
      decision: 'link',
    });
    expect(link.explanation!.fields.map((f: Loose) => f.comparison)).toEqual(expected.fields.map((f) => f.comparison));
    // One person: no second Ottoline, nothing to review, and the person still holds the reported identity.
    const persons = await sql(
      `select distinct p.id from person p
         left join person_link l on l.person_id = p.id left join source_record r on r.id = l.source_record_id
         left join person_reported_identity x on x.person_id = p.id and x.withdrawn_at is null
        where p.status = 'active' and 'Ottoline' in (r.demographics->>'givenName', x.fields->>'givenName')`,
    );
    expect(persons).toHaveLength(1);
    expect(await sql(`select 1 from match_review where reported_identity_id = $1`, [reported.id])).toHaveLength(0);
    expect(
      await sql(`select 1 from person_reported_identity where id = $1 and withdrawn_at is null`, [reported.id]),
    ).toHaveLength(1);
    // The child is in the parent's household, once.
    const [membership] = await sql<{ n: number; households: number }>(
      `select count(*)::int as n, count(distinct household_id)::int as households from household_membership
        where valid_to is null and person_id = any($1::uuid[])`,
      [[parentId, event.personId]],
    );
    expect(membership).toEqual({ n: 2, households: 1 });
    expect(await duplicates(hub.db.dataSource)).toMatchObject({
      recordsUnlinked: 0,
      activePersonsWithoutRecords: 0,
      personsInTwoHouseholds: 0,
    });

    // A second source's record of the child joins them too, consistent with the record and the report.
    await records([{ source: 'benefits', key: 'B-OTT', fields: record }]);
    await afterSync();
    expect(await personOf('benefits', 'B-OTT')).toBe(event.personId);
  });

  it('takes in a record the source sent before the birth was reported: the next matching moves it to the child', async () => {
    const record = childRecord('Rafferty', '2026-03-30', 'M');
    await records([{ source: 'housing', key: 'H-RAF', fields: record, hints: [tenancy('household-member')] }]);
    await afterSync();
    const before = (await personOf('housing', 'H-RAF'))!;
    const event = await reportBirth(
      'GRO:BI-2026-7050',
      { givenName: 'Rafferty', familyName: 'Oyelaran', sex: 'M' },
      '2026-03-30',
    );
    expect(event.personId).not.toBe(before);
    // The matching after the next sync (nothing new from the sources) blocks the report and matches again.
    await afterSync();
    const link = (await linkOf('housing', 'H-RAF'))!;
    expect(link.person_id).toBe(event.personId);
    expect(link.explanation).toMatchObject({ viaReportedEvent: event.id, decision: 'link' });
    // The record's first person id now stands for the child.
    expect(await sql(`select status, merged_into::text from person where id = $1`, [before])).toEqual([
      { status: 'merged', merged_into: event.personId },
    ]);
  });

  it('keeps twins apart: each twin’s record joins the twin it names', async () => {
    const amara = await reportBirth(
      'GRO:BI-2026-7101',
      { givenName: 'Amara', familyName: 'Oyelaran', sex: 'F' },
      '2026-04-02',
    );
    const zuri = await reportBirth(
      'GRO:BI-2026-7102',
      { givenName: 'Zuri', familyName: 'Oyelaran', sex: 'F' },
      '2026-04-02',
    );
    expect(amara.personId).not.toBe(zuri.personId);
    const amaraRecord = childRecord('Amara', '2026-04-02', 'F');
    const zuriRecord = childRecord('Zuri', '2026-04-02', 'F');
    // The model sees the twin pattern between the two twins' reports.
    const [amaraReported, zuriReported] = [(await reportedIdentityOf(amara.id))!, (await reportedIdentityOf(zuri.id))!];
    expect((await scoreOf(amaraRecord, zuriReported.fields)).decision).not.toBe('link');

    await records([{ source: 'housing', key: 'H-AMA', fields: amaraRecord, hints: [tenancy('household-member')] }]);
    await afterSync();
    expect(await personOf('housing', 'H-AMA')).toBe(amara.personId);
    await records([{ source: 'housing', key: 'H-ZUR', fields: zuriRecord, hints: [tenancy('household-member')] }]);
    await afterSync();
    expect(await personOf('housing', 'H-ZUR')).toBe(zuri.personId);
    expect((await linkOf('housing', 'H-ZUR'))!.explanation).toMatchObject({ via: `-${zuriReported.id}` });
    expect((await linkOf('housing', 'H-AMA'))!.explanation).toMatchObject({ via: `-${amaraReported.id}` });
    for (const id of [amara.personId, zuri.personId])
      expect(await sql(`select 1 from person where id = $1 and status = 'active'`, [id])).toHaveLength(1);
  });

  it('sends an uncertain record to a data steward, who decides (a second steward approves the merge)', async () => {
    const event = await reportBirth(
      'GRO:BI-2026-7201',
      { givenName: 'Cosimo', familyName: 'Oyelaran', sex: 'M' },
      '2026-05-20',
    );
    const reported = (await reportedIdentityOf(event.id))!;
    // Social care holds the baby under a shortened name and the wrong date of birth, at no address.
    const record: IdentityFields = { givenName: 'Cos', familyName: 'Oyelaran', dateOfBirth: '2026-05-02', sex: 'M' };
    const score = await scoreOf(record, reported.fields);
    expect(score.decision).toBe('review');
    await records([{ source: 'social-care', key: 'SC-COS', fields: record }]);
    await afterSync();
    const alone = await personOf('social-care', 'SC-COS');
    expect(alone).toBeDefined();
    expect(alone).not.toBe(event.personId);

    const REVIEWS = `{ matchReviews(first: 50) { items { id reason explanation { weight decision }
        recordA { source sourceKey personId identity { givenName } } recordB { id source sourceKey personId identity { givenName dateOfBirth } } } } }`;
    const page = await gql('steward', REVIEWS);
    expect(page.errors).toBeUndefined();
    const item = page.data!.matchReviews.items.find((i: Loose) => i.recordA.sourceKey === 'SC-COS');
    expect(item).toMatchObject({
      recordA: { source: 'social-care', personId: alone },
      recordB: {
        id: `-${reported.id}`,
        source: 'hub',
        sourceKey: `life-event:${event.id}`,
        personId: event.personId,
        identity: { givenName: 'Cosimo', dateOfBirth: '2026-05-20' },
      },
      explanation: { weight: score.weight, decision: 'review' },
    });
    // Re-matching opens it once and links nothing.
    await hub.app.get(IdentityIndexService).requeueAll();
    await afterSync();
    expect(await sql(`select 1 from match_review where reported_identity_id = $1`, [reported.id])).toHaveLength(1);
    expect(await personOf('social-care', 'SC-COS')).toBe(alone);

    // Accepting merges two persons whose records agree on no identifier: a second steward approves.
    const accepted = await gql(
      'steward',
      `mutation ($id: ID!) { acceptMatchReview(id: $id, note: "same baby, registrar confirmed") { personId mergeRequest { id } } }`,
      { id: item.id },
    );
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptMatchReview.personId).toBeNull();
    const approved = await gql(
      'steward2',
      `mutation ($id: ID!) { approvePersonMerge(id: $id, note: "checked") { personId } }`,
      { id: accepted.data!.acceptMatchReview.mergeRequest.id },
    );
    expect(approved.errors).toBeUndefined();
    const survivor = approved.data!.approvePersonMerge.personId;
    expect(await personOf('social-care', 'SC-COS')).toBe(survivor);
    // The reported identity follows the merge: the survivor holds it, and re-matching keeps them one.
    expect(await sql(`select person_id::text from person_reported_identity where id = $1`, [reported.id])).toEqual([
      { person_id: survivor },
    ]);
    await hub.app.get(IdentityIndexService).requeueAll();
    await afterSync();
    expect(await personOf('social-care', 'SC-COS')).toBe(survivor);
  });

  it('keeps a record a data steward rejected apart from the reported child, through re-matching and merges', async () => {
    const event = await reportBirth(
      'GRO:BI-2026-7251',
      { givenName: 'Leopold', familyName: 'Oyelaran', sex: 'M' },
      '2026-05-21',
    );
    const reported = (await reportedIdentityOf(event.id))!;
    const record: IdentityFields = { givenName: 'Leo', familyName: 'Oyelaran', dateOfBirth: '2026-05-03', sex: 'M' };
    expect((await scoreOf(record, reported.fields)).decision).toBe('review');
    await records([{ source: 'social-care', key: 'SC-LEO', fields: record }]);
    await afterSync();
    const [item] = await sql<{ id: string }>(
      `select id::text from match_review where reported_identity_id = $1 and status = 'pending'`,
      [reported.id],
    );
    expect(item).toBeDefined();
    const rejected = await gql(
      'steward',
      `mutation ($id: ID!) { rejectMatchReview(id: $id, note: "another child") { personId } }`,
      { id: item.id },
    );
    expect(rejected.errors).toBeUndefined();
    expect(
      await sql(`select kind from reported_match_constraint where reported_identity_id = $1`, [reported.id]),
    ).toEqual([{ kind: 'different' }]);
    await hub.app.get(IdentityIndexService).requeueAll();
    await afterSync();
    const leo = (await personOf('social-care', 'SC-LEO'))!;
    expect(leo).not.toBe(event.personId);
    expect(
      await sql(`select 1 from match_review where reported_identity_id = $1 and status = 'pending'`, [reported.id]),
    ).toHaveLength(0);
    const merge = await gql(
      'steward',
      `mutation ($a: ID!, $b: ID!) { mergePersons(survivorId: $a, mergedId: $b, reason: "try") { personId } }`,
      { a: event.personId, b: leo },
    );
    expect(merge.errors?.[0].extensions.code).toBe('CONFLICTING_DECISION');
  });

  it('a withdrawn birth attracts no records: the child’s record becomes a person of its own', async () => {
    const event = await reportBirth(
      'GRO:BI-2026-7301',
      { givenName: 'Percival', familyName: 'Oyelaran', sex: 'M' },
      '2026-06-11',
    );
    const reported = (await reportedIdentityOf(event.id))!;
    // Blocked by the next batch (any pending record runs it).
    await records([
      {
        source: 'housing',
        key: 'H-NOONE',
        fields: { givenName: 'Ignatius', familyName: 'Brackwater', dateOfBirth: '1970-01-01' },
      },
    ]);
    await afterSync();
    expect(
      await sql(`select 1 from reported_block_key where reported_identity_id = $1`, [reported.id]),
    ).not.toHaveLength(0);

    const withdrawn = await gql(
      'registrar',
      `mutation ($id: ID!, $reason: String!) { withdrawLifeEvent(id: $id, reason: $reason) { status } }`,
      { id: event.id, reason: 'Registered against the wrong family by mistake.' },
    );
    expect(withdrawn.errors).toBeUndefined();
    expect(withdrawn.data!.withdrawLifeEvent.status).toBe('WITHDRAWN');
    expect(await sql(`select 1 from reported_block_key where reported_identity_id = $1`, [reported.id])).toHaveLength(
      0,
    );

    const record = childRecord('Percival', '2026-06-11', 'M');
    expect((await scoreOf(record, reported.fields)).decision).toBe('link');
    await records([{ source: 'housing', key: 'H-PER', fields: record, hints: [tenancy('household-member')] }]);
    await afterSync();
    const link = (await linkOf('housing', 'H-PER'))!;
    expect(link.person_id).not.toBe(event.personId);
    expect(link.method).toBe('new');
    expect(
      await sql(`select 1 from match_review where reported_identity_id = $1 and status = 'pending'`, [reported.id]),
    ).toHaveLength(0);
    // Re-matching everything does not bring it back.
    await hub.app.get(IdentityIndexService).requeueAll();
    await afterSync();
    expect(await personOf('housing', 'H-PER')).toBe(link.person_id);
    // The withdrawn child stays a person (the event's audit trail names them), not one without evidence.
    expect(await duplicates(hub.db.dataSource)).toMatchObject({ activePersonsWithoutRecords: 0, recordsUnlinked: 0 });
  });
});
