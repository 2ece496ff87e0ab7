import request from 'supertest';
import { Role } from '../../src/engine/principal';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { fixturePeople, insertSourceRecords } from '../support/identity-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

describe('the data steward API over HTTP', () => {
  let hub: TestHub;
  let steward: string;
  let secondSteward: string;
  let caseworker: string;

  const graphql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    request(hub.server).post('/graphql').set('authorization', `Bearer ${token}`).send({ query, variables });

  beforeAll(async () => {
    hub = await startTestHub({ RATE_LIMIT_PER_MINUTE: '40' });
    const tokens = hub.app.get(DevTokenIssuer);
    steward = await tokens.issue({ subject: 'steward-1', organisation: 'council', roles: [Role.DataSteward] });
    secondSteward = await tokens.issue({ subject: 'steward-2', organisation: 'council', roles: [Role.DataSteward] });
    caseworker = await tokens.issue({ subject: 'cw-1', organisation: 'council', roles: [Role.Caseworker] });
    const people = fixturePeople(80, 5).map((p) => ({ source: 'housing', fields: p.fields }));
    await insertSourceRecords(hub.db.dataSource, people);
    const index = hub.app.get(IdentityIndexService);
    await index.matchPending();
    // A pair for a person to decide, put on the queue as the matcher would, with the model's own explanation:
    // one name, birth years transposed, two towns.
    const pair = [
      {
        source: 'housing',
        fields: {
          givenName: 'Marta',
          familyName: 'Lindqvist',
          dateOfBirth: '1979-05-21',
          postcode: 'LS8 2PQ',
          addressLines: ['4 Roundhay Road'],
        },
      },
      {
        source: 'benefits',
        fields: {
          givenName: 'Marta',
          familyName: 'Lindqvist',
          dateOfBirth: '1997-05-21',
          postcode: 'M14 5RT',
          addressLines: ['77 Wilmslow Road'],
        },
      },
    ];
    const [a, b] = await insertSourceRecords(hub.db.dataSource, pair);
    await index.matchPending();
    const matcher = (await index.model())!;
    const score = matcher.scorePair({ id: a, ...pair[0] }, { id: b, ...pair[1] });
    await hub.db.dataSource.query(
      `insert into match_review (record_a, record_b, weight, probability, reason, explanation) values ($1, $2, $3, $4, 'between thresholds', $5)
       on conflict (record_a, record_b) do nothing`,
      [a, b, score.weight, score.probability, JSON.stringify(score)],
    );
  });
  afterAll(() => hub.stop());

  const reviewsQuery = `{ matchReviews(first: 10) { pending nextCursor items { id reason probability
      explanation { decision fields { comparison level weight } }
      recordA { source identity { givenName familyName } personId } recordB { source personId } } } }`;

  it('lists the review queue for a data steward, with explanations, and audits the disclosure', async () => {
    const res = await graphql(steward, reviewsQuery).expect(200);
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data.matchReviews;
    expect(page.pending).toBeGreaterThan(0);
    const marta = page.items.find(
      (i: { recordA: { identity: { givenName: string } } }) => i.recordA.identity.givenName === 'Marta',
    );
    expect(marta).toBeDefined();
    expect(marta.explanation.fields.find((f: { comparison: string }) => f.comparison === 'familyName').level).toBe(
      'exact',
    );
    const [event] = await hub.db.dataSource.query(
      `select actor_subject, persons from audit_event where operation = 'identity.review.list'`,
    );
    expect(event.actor_subject).toBe('steward-1');
    expect(event.persons).toEqual(expect.arrayContaining([marta.recordA.personId, marta.recordB.personId]));
  });

  it('refuses the queue to a role without data stewardship', async () => {
    const res = await graphql(caseworker, reviewsQuery).expect(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('accepts a review: the two records become one person once a second steward approves, and the decision cannot be taken twice', async () => {
    const page = (await graphql(steward, reviewsQuery)).body.data.matchReviews;
    const item = page.items[0];
    expect(item.recordA.personId).not.toBe(item.recordB.personId);
    // The fixtures hold no NINO or NHS number, so joining the two persons needs a second steward.
    const accepted = await graphql(
      steward,
      'mutation($id: ID!) { acceptMatchReview(id: $id, note: "same NI letter on file") { personId mergeRequest { id status } } }',
      {
        id: item.id,
      },
    );
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.acceptMatchReview).toEqual({
      personId: null,
      mergeRequest: { id: expect.any(String), status: 'pending' },
    });
    const approved = await graphql(secondSteward, 'mutation($id: ID!) { approvePersonMerge(id: $id) { personId } }', {
      id: accepted.body.data.acceptMatchReview.mergeRequest.id,
    });
    expect(approved.body.errors).toBeUndefined();
    const personId = approved.body.data.approvePersonMerge.personId;
    const persons = await hub.db.dataSource.query(
      'select distinct person_id::text from person_link l join match_review m on l.source_record_id in (m.record_a, m.record_b) where m.id = $1',
      [item.id],
    );
    expect(persons).toEqual([{ person_id: personId }]);
    const again = await graphql(steward, 'mutation($id: ID!) { acceptMatchReview(id: $id) { personId } }', {
      id: item.id,
    });
    expect(again.body.errors[0].extensions.code).toBe('REVIEW_ALREADY_DECIDED');
  });

  it('says clearly when a cursor or id is bad', async () => {
    const badCursor = await graphql(steward, '{ matchReviews(after: "garbage") { pending } }');
    expect(badCursor.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badId = await graphql(
      steward,
      'mutation { splitSourceRecord(sourceRecordId: "x1", reason: "test") { personId } }',
    );
    expect(badId.body.errors[0].extensions.code).toBe('IDENTITY_NOT_FOUND');
  });

  it('limits each client to its budget of requests per minute', async () => {
    const tokens = hub.app.get(DevTokenIssuer);
    const busy = await tokens.issue({ subject: 'busy', organisation: 'council', roles: [Role.DataSteward] });
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 42; i++)
      codes.push((await graphql(busy, '{ matchReviews(first: 1) { pending } }')).body.errors?.[0]?.extensions?.code);
    expect(codes.slice(0, 40).every((c) => c === undefined)).toBe(true);
    expect(codes.slice(40)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // Another client is unaffected.
    const other = await graphql(steward, '{ matchReviews(first: 1) { pending } }');
    expect(other.body.errors).toBeUndefined();
  });
});
