import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ConsentService } from '../../src/access/consent/consent.service';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { insertSourceRecords } from '../support/identity-fixtures';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

/**
 * What the people search and the look-ups by id must not give away (issue #15): cursors that name people,
 * scores that confirm attributes the caller may not see, exhaustive listings by one attribute, and a real id
 * told apart from a random one by a caller no agreement covers.
 */

jest.setTimeout(120_000);

const admin = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const dpo = { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] };
const personas: Record<string, DevTokenRequest> = {
  police: { subject: 'police-records', organisation: 'police', roles: [Role.PartnerAgency], client: 'police-records' },
  nhs: {
    subject: 'nhs-safeguarding-system',
    organisation: 'nhs-trust',
    roles: [Role.PartnerAgency],
    client: 'nhs-safeguarding',
  },
  alice: { subject: 'am-alice', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-north' },
  bob: { subject: 'am-bob', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-south' },
  steward: { subject: 'ds-dana', organisation: 'council', roles: [Role.DataSteward] },
  steward2: { subject: 'ds-dev', organisation: 'council', roles: [Role.DataSteward] },
};

/** Quadruplets: one family name, date of birth and postcode; each their own given name and NINO. */
const family = { familyName: 'Quennell', dateOfBirth: '1984-03-07', postcode: 'NE1 4ST' };
const people = {
  target: { source: 'benefits', fields: { givenName: 'Marguerite', ...family, nino: 'QQ123456C' } },
  sibling: { source: 'housing', fields: { givenName: 'Bartholomew', ...family, nino: 'QQ654321A' } },
  third: { source: 'housing', fields: { givenName: 'Cressida', ...family, nino: 'QQ246810B' } },
  objector: { source: 'benefits', fields: { givenName: 'Ottoline', ...family, nino: 'QQ135791D' } },
};

type Edge = {
  cursor: string;
  score: number | null;
  person: { id: string; exists: boolean | null; givenName: string | null };
};
type Page = { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
type GraphqlError = { message: string; path?: (string | number)[]; extensions: { code: string; requestId?: string } };

describe('search and look-ups: no leaks (#15)', () => {
  let hub: SingleViewHub;
  const tokens = new Map<string, string>();
  const ids = {} as Record<keyof typeof people, string>;
  let household: { id: string; postcode: string; uprn: string | null };

  const ask = (who: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set('x-request-id', headers['x-request-id'] ?? randomUUID())
      .set(headers)
      .send({ query, variables });

  const selection = 'edges { cursor score person { id exists givenName } } pageInfo { hasNextPage endCursor }';
  const search = (who: string, input: string, purpose: string) =>
    ask(who, `{ searchPeople(input: { ${input} }) { ${selection} } }`, { 'x-purpose': purpose }).expect(200);
  const purposeOf: Record<string, string> = {
    alice: 'EARLY_HELP',
    bob: 'EARLY_HELP',
    steward: 'DATA_QUALITY',
    steward2: 'DATA_QUALITY',
  };

  /** Every page of a search, `first` at a time, following endCursor. */
  const allPages = async (who: string, input: string, first: number): Promise<Page[]> => {
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const res = await search(who, `${input}, first: ${first}${after ? `, after: "${after}"` : ''}`, purposeOf[who]);
      expect((res.body.errors ?? []).filter((e: GraphqlError) => e.extensions.code !== 'WITHHELD_BY_POLICY')).toEqual(
        [],
      );
      const page: Page = res.body.data.searchPeople;
      pages.push(page);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      if (pages.length > 20) throw new Error('paging does not end');
    } while (after);
    return pages;
  };

  /** Whether a cursor carries a person id in any readable form: as text, hex, or its 16 bytes. */
  const namesSomeone = (cursor: string, personIds: string[]) => {
    const bytes = Buffer.from(cursor, 'base64url');
    return personIds.some((id) => {
      const hex = id.replace(/-/g, '');
      return (
        cursor.includes(id) ||
        bytes.toString('latin1').includes(id) ||
        bytes.toString('hex').includes(hex) ||
        bytes.includes(Buffer.from(hex, 'hex'))
      );
    });
  };

  const auditOf = (requestId: string) =>
    hub.db.dataSource.query(
      `select operation, decision, persons, households, reasons, detail from audit_event where request_id = $1 order by seq`,
      [requestId],
    ) as Promise<
      {
        operation: string;
        decision: string;
        persons: string[] | null;
        households: string[] | null;
        reasons: string[] | null;
        detail: Record<string, unknown> | null;
      }[]
    >;

  /** The response with what differs per request (its id) taken out. */
  const comparable = (body: { data?: unknown; errors?: GraphqlError[] }) =>
    JSON.parse(JSON.stringify(body, (key, value: unknown) => (key === 'requestId' ? undefined : value))) as unknown;

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 40, seed: 'search-leaks' });
    for (const [name, who] of Object.entries(personas)) tokens.set(name, await hub.token(who));
    const entries = Object.entries(people) as [keyof typeof people, (typeof people)['target']][];
    const records = await insertSourceRecords(
      hub.db.dataSource,
      entries.map(([, row]) => row),
    );
    await hub.app.get(IdentityIndexService).matchPending();
    for (const [i, [name]] of entries.entries()) {
      const [{ person_id }] = await hub.db.dataSource.query(
        'select person_id::text from person_link where source_record_id = $1',
        [records[i]],
      );
      ids[name] = person_id;
    }
    if (new Set(Object.values(ids)).size !== 4)
      throw new Error(`the four were not kept apart by the matcher: ${JSON.stringify(ids)}`);
    await hub.app.get(ConsentService).recordObjection(
      {
        personId: ids.objector,
        kind: 'objection',
        reason: 'She does not want council services sharing her details with anyone',
        evidence: 'EDRMS:OBJ-2026-0042',
      },
      dpo,
    );
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'person', subjectId: ids.sibling, team: 'early-help-north' }, admin);
    [household] = await hub.db.dataSource.query(
      `select h.id::text, h.postcode, h.uprn from household h join household_membership m on m.household_id = h.id and m.valid_to is null
        where h.postcode is not null order by h.id limit 1`,
    );
  });
  afterAll(() => hub?.stop());

  it('refuses a caller with no agreement for the purpose the whole search, audited, naming no one', async () => {
    const requestId = randomUUID();
    const res = await ask(
      'police',
      `{ searchPeople(input: { name: "Marguerite Quennell", dateOfBirth: "1984-03-07" }) { ${selection} } }`,
      {
        'x-purpose': 'SAFEGUARDING',
        'x-request-id': requestId,
      },
    ).expect(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['searchPeople'],
        extensions: expect.objectContaining({ code: 'NO_AGREEMENT' }),
      }),
    ]);
    expect(res.body.errors[0].message).toMatch(/no active agreement/);
    for (const id of Object.values(ids)) expect(JSON.stringify(res.body)).not.toContain(id);
    const events = await auditOf(requestId);
    expect(events).toEqual([
      expect.objectContaining({
        operation: 'search',
        decision: 'deny',
        detail: expect.objectContaining({ refused: 'NO_AGREEMENT' }),
      }),
    ]);
    expect(events[0].persons ?? []).toEqual([]);
  });

  it('answers person, household, householdsAtAddress and _entities alike for a real id and a random one when no agreement covers the caller', async () => {
    const entities = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id exists givenName } ... on Household { id postcode } } }`;
    const pairs: [string, (id: string) => [string, Record<string, unknown>?], string, string][] = [
      ['person', (id) => [`{ person(id: "${id}") { id exists givenName dateOfBirth } }`], ids.target, randomUUID()],
      [
        'household',
        (id) => [`{ household(id: "${id}") { id postcode members { person { id exists } } } }`],
        household.id,
        randomUUID(),
      ],
      [
        'householdsAtAddress',
        (postcode) => [
          `{ householdsAtAddress(input: { postcode: "${postcode}" }) { id postcode members { person { id } } } }`,
        ],
        household.postcode,
        'ZZ9 9ZZ',
      ],
      ['_entities', (id) => [entities, { representations: [{ __typename: 'Person', id }] }], ids.target, randomUUID()],
      [
        '_entities',
        (id) => [entities, { representations: [{ __typename: 'Household', id }] }],
        household.id,
        randomUUID(),
      ],
    ];
    for (const [who, purpose, headers, code] of [
      ['police', 'SAFEGUARDING', {}, 'NO_AGREEMENT'],
      ['nhs', 'SAFEGUARDING', {}, 'CASE_REFERENCE_REQUIRED'],
    ] as const) {
      for (const [field, query, real, random] of pairs) {
        const answers = [];
        for (const value of [real, random]) {
          const requestId = randomUUID();
          const [text, variables] = query(value);
          const res = await ask(
            who,
            text,
            { ...headers, 'x-purpose': purpose, 'x-request-id': requestId },
            variables,
          ).expect(200);
          expect(res.body.errors?.map((e: GraphqlError) => e.extensions.code)).toEqual([code]);
          expect(res.body.errors[0].path).toEqual(field === '_entities' ? ['_entities', 0] : [field]);
          for (const id of [...Object.values(ids), household.id]) expect(JSON.stringify(res.body)).not.toContain(id);
          const events = await auditOf(requestId);
          expect(events).toEqual([
            expect.objectContaining({ decision: 'deny', detail: expect.objectContaining({ refused: code }) }),
          ]);
          expect([...(events[0].persons ?? []), ...(events[0].households ?? [])]).toEqual([]);
          answers.push(comparable(res.body));
        }
        expect(answers[0]).toEqual(answers[1]);
      }
    }
  });

  it('gives cursors that name no one and serve only the search, caller and purpose that got them', async () => {
    const res = await search('steward', 'name: "Quennell", first: 2', 'DATA_QUALITY');
    const page: Page = res.body.data.searchPeople;
    expect(page.edges.length).toBe(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const allIds = [...Object.values(ids), ...page.edges.map((e) => e.person.id)];
    for (const cursor of [...page.edges.map((e) => e.cursor), page.pageInfo.endCursor!]) {
      expect(namesSomeone(cursor, allIds)).toBe(false);
      expect(() => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).toThrow();
    }
    const after = page.pageInfo.endCursor!;
    const next = await search('steward', `name: "Quennell", first: 2, after: "${after}"`, 'DATA_QUALITY');
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data.searchPeople.edges[0].person.id).not.toBe(page.edges[1].person.id);

    const refusals = [
      await search('steward', `name: "Quennell", dateOfBirth: "1984-03-07", after: "${after}"`, 'DATA_QUALITY'),
      await search('steward2', `name: "Quennell", first: 2, after: "${after}"`, 'DATA_QUALITY'),
      await search(
        'steward',
        `name: "Quennell", first: 2, after: "${after.slice(0, -2)}${after.endsWith('A') ? 'B' : 'A'}A"`,
        'DATA_QUALITY',
      ),
    ];
    for (const refused of refusals) {
      expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(refused.body.errors[0].message).toMatch(/cursor/);
    }
  });

  it('pages over released results only: a withheld person leaves no empty page and no cursor', async () => {
    const pages = await allPages('steward', 'name: "Quennell"', 1);
    for (const page of pages) expect(page.edges.length).toBe(1);
    expect(pages.at(-1)!.pageInfo.hasNextPage).toBe(false);
    const found = pages.map((p) => p.edges[0].person.id);
    expect(found).toEqual(expect.arrayContaining([ids.target, ids.sibling, ids.third]));
    expect(found).not.toContain(ids.objector);
    const scores = pages.map((p) => p.edges[0].score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const page of pages)
      for (const cursor of [page.edges[0].cursor, page.pageInfo.endCursor!])
        expect(namesSomeone(cursor, [ids.objector])).toBe(false);
  });

  it('gives no score to a caller who may learn only that a match exists, and no match on a near miss', async () => {
    const exact = await search('bob', 'name: "Marguerite Quennell", postcode: "NE1 4ST"', 'EARLY_HELP');
    expect(exact.body.data.searchPeople.edges.map((e: Edge) => [e.person, e.score])).toEqual([
      [{ id: ids.target, exists: true, givenName: null }, null],
    ]);
    const scoreErrors = exact.body.errors.filter((e: GraphqlError) => e.path?.at(-1) === 'score');
    expect(scoreErrors).toEqual([
      expect.objectContaining({
        path: ['searchPeople', 'edges', 0, 'score'],
        extensions: expect.objectContaining({ code: 'WITHHELD_BY_POLICY' }),
      }),
    ]);
    expect(JSON.stringify(exact.body)).not.toMatch(/"score":\s*[0-9]/);

    for (const nearMiss of [
      'name: "Marguerite Quennell", postcode: "NE1 4SU"',
      'name: "Marguerite Quennell", dateOfBirth: "1984-07-03"',
      'name: "Marguerite Quennell", dateOfBirth: "1985-03-07"',
      'name: "Marguerite Quennell", nino: "QQ123456D"',
    ]) {
      const res = await search('bob', nearMiss, 'EARLY_HELP');
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.searchPeople).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    }
    const byNino = await search('bob', 'name: "Quennell", nino: "QQ123456C"', 'EARLY_HELP');
    expect(byNino.body.data.searchPeople.edges.map((e: Edge) => e.person.id)).toEqual([ids.target]);
  });

  it('refuses an existence-only search without a name and one more identifying attribute', async () => {
    for (const input of [
      'dateOfBirth: "1984-03-07"',
      'postcode: "NE1 4ST"',
      'nino: "QQ123456C"',
      'name: "Marguerite Quennell"',
      'givenName: "Marguerite", dateOfBirth: "1984-03-07"',
    ]) {
      const res = await search('bob', input, 'EARLY_HELP');
      expect(res.body.data).toBeNull();
      expect(res.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      ]);
      expect(res.body.errors[0].message).toMatch(/family name and one more of dateOfBirth, postcode, nino/);
    }
    // A caller who may see those attributes may still search by one of them.
    const steward = await search('steward', 'dateOfBirth: "1984-03-07"', 'DATA_QUALITY');
    expect(steward.body.data.searchPeople.edges.map((e: Edge) => e.person.id)).toEqual(
      expect.arrayContaining([ids.target, ids.sibling, ids.third]),
    );
  });

  it('orders existence-only results by person id, full pages, no score even for a person on the caseload', async () => {
    const expected = [ids.target, ids.sibling, ids.third].sort();
    const pages = await allPages('bob', 'name: "Quennell", dateOfBirth: "1984-03-07"', 1);
    expect(pages.map((p) => p.edges.map((e) => e.person.id))).toEqual(expected.map((id) => [id]));
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.flatMap((p) => p.edges.map((e) => e.score))).toEqual([null, null, null]);

    const mixed = await search('alice', 'name: "Quennell", postcode: "NE1 4ST"', 'EARLY_HELP');
    const edges: Edge[] = mixed.body.data.searchPeople.edges;
    expect(edges.map((e) => e.person.id)).toEqual(expected);
    expect(edges.find((e) => e.person.id === ids.sibling)!.person.givenName).toBe('Bartholomew');
    expect(edges.map((e) => e.score)).toEqual([null, null, null]);

    // A cursor from one caller's existence search is no use to another.
    const crossed = await search(
      'alice',
      `name: "Quennell", dateOfBirth: "1984-03-07", first: 1, after: "${pages[0].pageInfo.endCursor}"`,
      'EARLY_HELP',
    );
    expect(crossed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
