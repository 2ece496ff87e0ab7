import request from 'supertest';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { IdentityFields } from '../../src/sources/identity-fields';
import { fixturePeople, insertSourceRecords } from '../support/identity-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Merges of two persons are the one change to the person index that hands one person's records to
 * whoever may see another: a data steward alone may merge only where the persons' own identifiers
 * agree, anything else waits for a second steward, and a view through a merged id names both ids, so
 * that the subject access report and the access timeline of either id show it.
 */

const admin = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const stewardOne: DevTokenRequest = { subject: 'ds-sam', organisation: 'council', roles: [Role.DataSteward] };
const stewardTwo: DevTokenRequest = { subject: 'ds-tia', organisation: 'council', roles: [Role.DataSteward] };
const caseworker: DevTokenRequest = {
  subject: 'cw-colin',
  organisation: 'council',
  roles: [Role.Caseworker],
  team: 'early-help-north',
};
const otherCaseworker: DevTokenRequest = {
  subject: 'cw-dora',
  organisation: 'council',
  roles: [Role.Caseworker],
  team: 'early-help-south',
};
const dpo: DevTokenRequest = { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] };

const SOURCES = ['housing', 'benefits', 'social-care'];
const NINO = 'AB123456C';
const NHS = ['9434765919', '4010232137', '4857773457'];

const mergeMutation = `mutation($s: ID!, $m: ID!, $r: String!) { mergePersons(survivorId: $s, mergedId: $m, reason: $r) {
  personId mergeRequest { id status survivorId mergedId requestedBy reason } } }`;
const approveMutation = 'mutation($id: ID!, $note: String) { approvePersonMerge(id: $id, note: $note) { personId } }';
const rejectMutation =
  'mutation($id: ID!, $note: String) { rejectPersonMerge(id: $id, note: $note) { id status decidedBy } }';

describe('merges of persons: two stewards, and views through a merged id audited under both ids', () => {
  let hub: TestHub;
  const tokens = new Map<DevTokenRequest, string>();
  const people = fixturePeople(40, 15);
  let nextPerson = 0;

  const graphql = (
    who: DevTokenRequest,
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set(headers)
      .send({ query, variables });

  /** A person of the index with one record per set of fields (sources in turn), linked as the matcher would. */
  const personOf = async (...records: Partial<IdentityFields>[]): Promise<string> => {
    const base = people[nextPerson++].fields;
    const ids = await insertSourceRecords(
      hub.db.dataSource,
      records.map((fields, i) => ({ source: SOURCES[i % SOURCES.length], fields: { ...base, ...fields } })),
    );
    const [{ id }] = await hub.db.dataSource.query('insert into person default values returning id::text');
    await hub.db.dataSource.query(
      `insert into person_link (source_record_id, person_id, method, decided_by) select unnest($1::bigint[]), $2, 'new', 'test'`,
      [ids, id],
    );
    await hub.db.dataSource.query(`update source_record set match_status = 'matched' where id = any($1::bigint[])`, [
      ids,
    ]);
    return id;
  };

  const statusOf = async (personId: string) =>
    (await hub.db.dataSource.query('select status, merged_into::text from person where id = $1', [personId]))[0] as {
      status: string;
      merged_into: string | null;
    };

  const eventsOf = (operationPrefix: string, personId: string) =>
    hub.db.dataSource.query(
      `select operation, decision, actor_subject, persons, reasons, detail from audit_event
        where starts_with(operation, $1) and persons @> array[$2]::text[] order by seq`,
      [operationPrefix, personId],
    ) as Promise<
      {
        operation: string;
        decision: string;
        actor_subject: string;
        persons: string[];
        reasons: string[];
        detail: Record<string, unknown> | null;
      }[]
    >;

  /** A merge asked for by the first steward, left waiting for a second. */
  const requestMerge = async (survivor: string, merged: string) => {
    const res = await graphql(stewardOne, mergeMutation, {
      s: survivor,
      m: merged,
      r: 'same person: the resident phoned',
    }).expect(200);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.mergePersons as {
      personId: string | null;
      mergeRequest: { id: string; status: string } | null;
    };
  };

  beforeAll(async () => {
    hub = await startTestHub({ RATE_LIMIT_PER_MINUTE: '0' });
    await hub.app.get(AccessSeedService).seedDemo();
    const issuer = hub.app.get(DevTokenIssuer);
    for (const who of [stewardOne, stewardTwo, caseworker, otherCaseworker, dpo])
      tokens.set(who, await issuer.issue(who));
  });
  afterAll(() => hub.stop());

  it('keeps a merge without an agreeing NINO or NHS number pending until a second steward approves, and audits each step', async () => {
    const survivor = await personOf({}, {});
    const merged = await personOf({});
    const outcome = await requestMerge(survivor, merged);
    expect(outcome.personId).toBeNull();
    expect(outcome.mergeRequest).toMatchObject({
      status: 'pending',
      survivorId: survivor,
      mergedId: merged,
      requestedBy: stewardOne.subject,
    });
    expect(await statusOf(merged)).toEqual({ status: 'active', merged_into: null });
    const [{ links }] = await hub.db.dataSource.query(
      'select count(*)::int as links from person_link where person_id = $1',
      [merged],
    );
    expect(links).toBe(1);

    const listed = await graphql(
      stewardTwo,
      '{ personMergeRequests { id status survivorId mergedId requestedBy reason } }',
    ).expect(200);
    expect(listed.body.data.personMergeRequests).toContainEqual(
      expect.objectContaining({ id: outcome.mergeRequest!.id, status: 'pending', requestedBy: stewardOne.subject }),
    );

    const approved = await graphql(stewardTwo, approveMutation, {
      id: outcome.mergeRequest!.id,
      note: 'checked both records',
    }).expect(200);
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data.approvePersonMerge.personId).toBe(survivor);
    expect(await statusOf(merged)).toEqual({ status: 'merged', merged_into: survivor });

    const events = await eventsOf('identity.merge', merged);
    expect(events.map((e) => [e.operation, e.actor_subject, e.decision])).toEqual([
      ['identity.merge.request', stewardOne.subject, 'change'],
      ['identity.merge.list', stewardTwo.subject, 'allow'],
      ['identity.merge.approve', stewardTwo.subject, 'change'],
    ]);
    expect(events[0].persons).toEqual([survivor, merged]);
    expect(events[2].detail).toMatchObject({
      mergeRequestId: outcome.mergeRequest!.id,
      requestedBy: stewardOne.subject,
    });

    const again = await graphql(stewardTwo, approveMutation, { id: outcome.mergeRequest!.id }).expect(200);
    expect(again.body.errors[0].extensions.code).toBe('MERGE_REQUEST_ALREADY_DECIDED');
  });

  it('refuses a steward approving their own merge request, merges nothing, and records the attempt', async () => {
    const survivor = await personOf({});
    const merged = await personOf({});
    const { mergeRequest } = await requestMerge(survivor, merged);
    const own = await graphql(stewardOne, approveMutation, { id: mergeRequest!.id }).expect(200);
    expect(own.body.errors[0].extensions.code).toBe('MERGE_SELF_APPROVAL');
    expect(await statusOf(merged)).toEqual({ status: 'active', merged_into: null });
    const [refusal] = await eventsOf('identity.merge.approve', merged);
    expect(refusal).toMatchObject({ decision: 'deny', actor_subject: stewardOne.subject, persons: [survivor, merged] });

    // A second request for the same pair is the same request.
    const twice = await graphql(stewardTwo, mergeMutation, { s: merged, m: survivor, r: 'again' }).expect(200);
    expect(twice.body.errors[0].extensions.code).toBe('MERGE_ALREADY_REQUESTED');

    const rejected = await graphql(stewardTwo, rejectMutation, {
      id: mergeRequest!.id,
      note: 'different dates of birth',
    }).expect(200);
    expect(rejected.body.data.rejectPersonMerge).toEqual({
      id: mergeRequest!.id,
      status: 'rejected',
      decidedBy: stewardTwo.subject,
    });
    expect(await statusOf(merged)).toEqual({ status: 'active', merged_into: null });
    expect((await eventsOf('identity.merge.reject', merged)).map((e) => e.actor_subject)).toEqual([stewardTwo.subject]);
    const late = await graphql(stewardTwo, approveMutation, { id: mergeRequest!.id }).expect(200);
    expect(late.body.errors[0].extensions.code).toBe('MERGE_REQUEST_ALREADY_DECIDED');
    expect(await statusOf(merged)).toEqual({ status: 'active', merged_into: null });
  });

  it('merges at once only where the persons hold the same NINO or NHS number (normalised) and no identifier disagrees', async () => {
    const survivor = await personOf({ nino: NINO }, { nhsNumber: NHS[0] });
    const merged = await personOf({ nino: 'ab 12 34 56 c' });
    const outcome = await requestMerge(survivor, merged);
    expect(outcome).toEqual({ personId: survivor, mergeRequest: null });
    expect(await statusOf(merged)).toEqual({ status: 'merged', merged_into: survivor });
    const [event] = await eventsOf('identity.merge', merged);
    expect(event).toMatchObject({
      operation: 'identity.merge',
      actor_subject: stewardOne.subject,
      persons: [survivor, merged],
      detail: { agreeingIdentifier: 'nino' },
    });

    // The same NINO but different NHS numbers: two records the sources say are two people.
    const withNhs = await personOf({ nino: NINO, nhsNumber: NHS[1] });
    const otherNhs = await personOf({ nino: NINO, nhsNumber: NHS[2] });
    expect((await requestMerge(withNhs, otherNhs)).mergeRequest).toMatchObject({ status: 'pending' });
    expect(await statusOf(otherNhs)).toEqual({ status: 'active', merged_into: null });
    // An invalid number agrees with nothing.
    const badA = await personOf({ nino: 'TN123456A' });
    const badB = await personOf({ nino: 'TN123456A' });
    expect((await requestMerge(badA, badB)).mergeRequest).toMatchObject({ status: 'pending' });
  });

  it('holds a review item that would join two persons without agreeing identifiers until a second steward approves', async () => {
    const a = await personOf({});
    const b = await personOf({});
    const [ra, rb] = (
      await hub.db.dataSource.query(
        'select source_record_id::text as id from person_link where person_id = any($1::uuid[]) order by source_record_id',
        [[a, b]],
      )
    ).map((r: { id: string }) => r.id);
    const [{ id: reviewId }] = await hub.db.dataSource.query(
      `insert into match_review (record_a, record_b, weight, probability, reason, explanation) values ($1, $2, 9, 0.9, 'between thresholds', '{}') returning id::text`,
      [ra, rb],
    );
    const accept = await graphql(
      stewardOne,
      'mutation($id: ID!) { acceptMatchReview(id: $id, note: "same") { personId mergeRequest { id status } } }',
      { id: reviewId },
    ).expect(200);
    expect(accept.body.errors).toBeUndefined();
    expect(accept.body.data.acceptMatchReview).toEqual({
      personId: null,
      mergeRequest: { id: expect.any(String), status: 'pending' },
    });
    const [review] = await hub.db.dataSource.query('select status from match_review where id = $1', [reviewId]);
    expect(review.status).toBe('pending');
    const [{ constraints }] = await hub.db.dataSource.query(
      'select count(*)::int as constraints from match_constraint where record_a = $1 and record_b = $2',
      [ra, rb],
    );
    expect(constraints).toBe(0);
    expect(await statusOf(b)).toEqual({ status: 'active', merged_into: null });

    const approved = await graphql(stewardTwo, approveMutation, {
      id: accept.body.data.acceptMatchReview.mergeRequest.id,
    }).expect(200);
    expect(approved.body.errors).toBeUndefined();
    const persons = await hub.db.dataSource.query(
      'select distinct person_id::text from person_link where source_record_id = any($1::bigint[])',
      [[ra, rb]],
    );
    expect(persons).toEqual([{ person_id: approved.body.data.approvePersonMerge.personId }]);
    const [closed] = await hub.db.dataSource.query('select status, reviewed_by from match_review where id = $1', [
      reviewId,
    ]);
    expect(closed).toEqual({ status: 'accepted', reviewed_by: stewardTwo.subject });
  });

  describe('views through a merged id', () => {
    let survivor: string;
    let merged: string;
    let household: string;
    const view = (who: DevTokenRequest, id: string) =>
      graphql(
        who,
        `{ person(id: "${id}") { id givenName household { id members { person { id givenName } } } } }`,
        {},
        { 'x-purpose': 'EARLY_HELP' },
      ).expect(200);

    beforeAll(async () => {
      survivor = await personOf({}, {});
      merged = await personOf({});
      const [{ id }] = await hub.db.dataSource.query(
        `insert into household (address_key, postcode) values ('merge-test', 'LS1 1AA') returning id::text`,
      );
      household = id;
      await hub.db.dataSource.query('insert into household_membership (household_id, person_id) values ($1, $2)', [
        household,
        survivor,
      ]);
      const assignments = hub.app.get(CaseAssignmentsService);
      await assignments.assign({ subjectKind: 'person', subjectId: survivor, team: caseworker.team! }, admin);
      await assignments.assign({ subjectKind: 'person', subjectId: merged, team: otherCaseworker.team! }, admin);
      // Before the merge, each caseworker sees their own client.
      const seen = [
        (await view(caseworker, survivor)).body.data.person?.id,
        (await view(otherCaseworker, merged)).body.data.person?.id,
      ];
      if (seen[0] !== survivor || seen[1] !== merged)
        throw new Error(`each caseworker should see their own client before the merge, saw ${seen}`);
      const { mergeRequest } = await requestMerge(survivor, merged);
      await graphql(stewardTwo, approveMutation, { id: mergeRequest!.id }).expect(200);
      if ((await statusOf(merged)).merged_into !== survivor) throw new Error('the approved merge was not carried out');
    });

    it('records the id asked for beside the survivor on the person view and the household reached from it', async () => {
      const res = await view(caseworker, merged);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.person.id).toBe(survivor);
      expect(res.body.data.person.household.members.map((m: { person: { id: string } }) => m.person.id)).toEqual([
        survivor,
      ]);
      const [personView] = (await eventsOf('person.view', merged)).filter(
        (e) => e.actor_subject === caseworker.subject,
      );
      expect(personView).toMatchObject({
        decision: 'allow',
        persons: [survivor, merged],
        detail: { requestedId: merged },
      });
      const [householdView] = (await eventsOf('household.view', merged)).filter(
        (e) => e.actor_subject === caseworker.subject,
      );
      expect(householdView).toMatchObject({
        decision: 'allow',
        persons: [survivor, merged],
        detail: { requestedId: merged },
      });

      // Asked for by the survivor's own id, the view names only the survivor.
      await view(caseworker, survivor);
      const direct = await hub.db.dataSource.query(
        `select persons, detail from audit_event where operation = 'person.view' and actor_subject = $1 order by seq desc limit 1`,
        [caseworker.subject],
      );
      expect(direct).toEqual([{ persons: [survivor], detail: null }]);
    });

    it('shows, in the subject access report and the access timeline of either id, what was seen through the other', async () => {
      const sar = async (personId: string) => {
        const res = await graphql(
          dpo,
          `{ subjectAccessReport(personId: "${personId}") { personId personIds sourceRecords { source sourceKey }
          disclosures { operation persons actor { subject } } } }`,
        ).expect(200);
        expect(res.body.errors).toBeUndefined();
        return res.body.data.subjectAccessReport;
      };
      const timeline = async (personId: string) => {
        const res = await graphql(
          dpo,
          `{ personAccessTimeline(personId: "${personId}", first: 100) { nodes { operation persons actor { subject } } } }`,
        ).expect(200);
        expect(res.body.errors).toBeUndefined();
        return res.body.data.personAccessTimeline.nodes as {
          operation: string;
          persons: string[];
          actor: { subject: string };
        }[];
      };
      const seenBy = (
        events: { operation: string; persons: string[]; actor: { subject: string } }[],
        subject: string,
        persons: string[],
      ) =>
        events.some(
          (e) =>
            e.operation === 'person.view' &&
            e.actor.subject === subject &&
            JSON.stringify(e.persons) === JSON.stringify(persons),
        );

      const ofMerged = await sar(merged);
      expect(ofMerged.personIds.sort()).toEqual([survivor, merged].sort());
      // The survivor's own views (only its id named) are in the merged id's report, and the other way round.
      expect(seenBy(ofMerged.disclosures, caseworker.subject, [survivor])).toBe(true);
      expect(seenBy(ofMerged.disclosures, otherCaseworker.subject, [merged])).toBe(true);
      expect(ofMerged.sourceRecords).toHaveLength(3);
      const ofSurvivor = await sar(survivor);
      expect(seenBy(ofSurvivor.disclosures, otherCaseworker.subject, [merged])).toBe(true);
      expect(seenBy(ofSurvivor.disclosures, caseworker.subject, [survivor, merged])).toBe(true);
      expect(ofSurvivor.disclosures.length).toBe(ofMerged.disclosures.length);

      for (const id of [survivor, merged]) {
        const events = await timeline(id);
        expect(seenBy(events, caseworker.subject, [survivor])).toBe(true);
        expect(seenBy(events, otherCaseworker.subject, [merged])).toBe(true);
        expect(seenBy(events, caseworker.subject, [survivor, merged])).toBe(true);
      }
    });
  });
});
