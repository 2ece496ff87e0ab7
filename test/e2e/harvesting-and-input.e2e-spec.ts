import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

/**
 * Harvesting and input hygiene (#15, items 4 and 10), end to end over loopback HTTP with the real audit
 * trail: a partner cannot pull the index through `_entities` (a cap on representations, a budget of persons
 * disclosed, a case reference that covers only a few people, the volume its agreement expects), and text
 * the hub would store or show is refused with BAD_USER_INPUT before any database call when it carries
 * control characters or bidi overrides.
 */

jest.setTimeout(180_000);

const MAX_REPRESENTATIONS = 12;
const PERSONS_PER_MINUTE = 10;
const CASE_REFERENCE_MAX_PERSONS = 5;

const admin: DevTokenRequest = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const dpo: DevTokenRequest = { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] };
const nhs: DevTokenRequest = {
  subject: 'nhs-safeguarding-system',
  organisation: 'nhs-trust',
  roles: [Role.PartnerAgency],
  client: 'nhs-safeguarding',
};
/** Data stewards need no case reference (DATA_QUALITY): they meet the budget of persons alone. */
/** Another client of the same organisation: a case reference is counted per organisation, a budget per client. */
const nhsCase: DevTokenRequest = {
  subject: 'nhs-case-system',
  organisation: 'nhs-trust',
  roles: [Role.PartnerAgency],
  client: 'nhs-case',
};
const stewardA: DevTokenRequest = { subject: 'ds-budget-a', organisation: 'council', roles: [Role.DataSteward] };
const stewardB: DevTokenRequest = { subject: 'ds-budget-b', organisation: 'council', roles: [Role.DataSteward] };
const flagPartner: DevTokenRequest = {
  subject: 'volume-flag-client',
  organisation: 'volume-flag-org',
  roles: [Role.PartnerAgency],
  client: 'volume-flag-client',
};
const refusePartner: DevTokenRequest = {
  subject: 'volume-refuse-client',
  organisation: 'volume-refuse-org',
  roles: [Role.PartnerAgency],
  client: 'volume-refuse-client',
};
const caseworker: DevTokenRequest = {
  subject: 'cw-carol',
  organisation: 'council',
  roles: [Role.Caseworker],
  team: 'early-help-north',
};

type GraphqlError = {
  message: string;
  path?: (string | number)[];
  extensions: { code: string; details?: Record<string, unknown> };
};
interface AuditRow {
  operation: string;
  decision: string;
  persons: string[] | null;
  case_reference: string | null;
  actor_subject: string | null;
  agreement_id: string | null;
  detail: Record<string, unknown> | null;
}

const entitiesQuery = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id givenName } } }';
const asPersons = (ids: string[]) => ids.map((id) => ({ __typename: 'Person', id }));

const agreementContent = (title: string, party: string, extra: string) => `{
  title: ${JSON.stringify(title)}, parties: ["${party}"], purposes: ["SAFEGUARDING"], lawfulBasis: PUBLIC_TASK,
  releases: [{ purpose: "SAFEGUARDING", fields: ["hub.identity.givenName", "hub.identity.familyName"] }],
  roles: [PARTNER_AGENCY], caseReferenceRequired: false, validFrom: "2025-01-01T00:00:00Z", reviewDate: "2027-01-01"${extra}
}`;

describe('harvesting limits and input hygiene', () => {
  let hub: SingleViewHub;
  const tokens = new Map<string, string>();
  /** Active persons with no objection, in a fixed order; each test takes its own slice. */
  let people: string[];
  let next = 0;
  const take = (n: number) => {
    const slice = people.slice(next, next + n);
    next += n;
    if (slice.length < n) throw new Error('the test borough has too few persons');
    return slice;
  };

  const post = (who: string, body: object, headers: Record<string, string> = {}) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set('x-request-id', headers['x-request-id'] ?? randomUUID())
      .set(headers)
      .send(body);
  const entities = (who: string, ids: unknown[], headers: Record<string, string>) =>
    post(who, { query: entitiesQuery, variables: { r: ids } }, headers);
  const auditOf = (requestId: string): Promise<AuditRow[]> =>
    hub.db.dataSource.query(
      `select operation, decision, persons, case_reference, actor_subject, agreement_id, detail from audit_event where request_id = $1 order by seq`,
      [requestId],
    );
  const released = (body: { data?: { _entities?: ({ givenName: string | null } | null)[] } }) =>
    (body.data?._entities ?? []).filter((entity) => entity?.givenName).length;
  const codesOf = (body: { errors?: GraphqlError[] }) => (body.errors ?? []).map((error) => error.extensions.code);

  beforeAll(async () => {
    hub = await startSingleViewHub({
      households: 60,
      seed: 'harvesting',
      env: {
        GRAPHQL_MAX_REPRESENTATIONS: String(MAX_REPRESENTATIONS),
        PERSONS_PER_MINUTE: String(PERSONS_PER_MINUTE),
        CASE_REFERENCE_MAX_PERSONS: String(CASE_REFERENCE_MAX_PERSONS),
      },
    });
    for (const [name, who] of Object.entries({
      admin,
      dpo,
      nhs,
      nhsCase,
      stewardA,
      stewardB,
      flagPartner,
      refusePartner,
      caseworker,
    }))
      tokens.set(name, await hub.token(who));
    people = (
      await hub.db.dataSource.query(
        `select p.id::text from person p where p.status = 'active' and not exists (select 1 from objection o where o.person_id = p.id) order by p.id`,
      )
    ).map((row: { id: string }) => row.id);
  });
  afterAll(() => hub?.stop());

  describe('_entities', () => {
    it('refuses more representations than GRAPHQL_MAX_REPRESENTATIONS before any resolver runs, and audits the refusal', async () => {
      const ids = people.slice(0, MAX_REPRESENTATIONS + 1);
      hub.resetCalls();
      const requestId = randomUUID();
      const res = await entities('nhs', asPersons(ids), {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'x',
        'x-request-id': requestId,
      });
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['TOO_MANY_REPRESENTATIONS']);
      expect(res.body.data?._entities).toBeUndefined();
      for (const source of ['housing', 'benefits', 'social-care']) expect(hub.calls.get(source)).toEqual([]);
      const events = await auditOf(requestId);
      expect(events.filter((e) => e.operation === 'person.view')).toEqual([]);
      expect(events).toEqual([
        expect.objectContaining({
          operation: 'disclosure-limit.representations',
          decision: 'deny',
          actor_subject: nhs.subject,
          case_reference: 'x',
          detail: expect.objectContaining({ representations: MAX_REPRESENTATIONS + 1, max: MAX_REPRESENTATIONS }),
        }),
      ]);
    });

    it('counts the representations of every _entities field in the request together (aliases)', async () => {
      const half = people.slice(0, Math.ceil((MAX_REPRESENTATIONS + 1) / 2));
      const query =
        'query ($r: [_Any!]!) { a: _entities(representations: $r) { ... on Person { id } } b: _entities(representations: $r) { ... on Person { id } } }';
      const res = await post(
        'nhs',
        { query, variables: { r: asPersons(half) } },
        { 'x-purpose': 'SAFEGUARDING', 'x-case-reference': 'x' },
      );
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['TOO_MANY_REPRESENTATIONS']);
    });

    it('refuses a representation of a type that is not an entity (Query) with BAD_USER_INPUT, writing nothing', async () => {
      const requestId = randomUUID();
      const res = await entities('nhs', [{ __typename: 'Query', id: people[0] }], {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'SG-T1',
        'x-request-id': requestId,
      });
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors[0].message).not.toMatch(/Internal server error/);
      expect(await auditOf(requestId)).toEqual([]);
      for (const bad of [
        { __typename: 'NoSuchType', id: people[0] },
        { id: people[0] },
        'Person',
        { __typename: 'Person\u0000', id: people[0] },
      ]) {
        const refused = await entities('nhs', [bad], { 'x-purpose': 'SAFEGUARDING', 'x-case-reference': 'SG-T1' });
        expect(codesOf(refused.body)).toEqual(['BAD_USER_INPUT']);
      }
    });

    it('answers a malformed or unknown id with an error on that entity, audited as a lookup', async () => {
      const [known] = take(1);
      const unknown = randomUUID();
      const requestId = randomUUID();
      const res = await entities(
        'nhs',
        [
          { __typename: 'Person', id: 'NHS 943 476 5919' },
          { __typename: 'Person', id: unknown },
          { __typename: 'Person', id: known },
        ],
        {
          'x-purpose': 'SAFEGUARDING',
          'x-case-reference': 'SG-T2',
          'x-request-id': requestId,
        },
      ).expect(200);
      expect(res.body.data._entities[0]).toBeNull();
      expect(res.body.data._entities[1]).toBeNull();
      expect(res.body.data._entities[2]).toEqual({ id: known, givenName: expect.any(String) });
      const byPath = new Map(
        res.body.errors.map((error: GraphqlError) => [JSON.stringify(error.path), error.extensions.code]),
      );
      expect(byPath.get(JSON.stringify(['_entities', 0]))).toBe('BAD_USER_INPUT');
      expect(byPath.get(JSON.stringify(['_entities', 1]))).toBe('NOT_FOUND');

      const lookups = (await auditOf(requestId)).filter((e) => e.operation === 'person.lookup');
      expect(lookups).toHaveLength(2);
      for (const event of lookups)
        expect(event).toMatchObject({ decision: 'deny', actor_subject: nhs.subject, case_reference: 'SG-T2' });
      expect(lookups.map((e) => e.detail?.id)).toContain(unknown);
      // The malformed value is recorded by its fingerprint, never as sent (it could be anything, e.g. an NHS number).
      expect(JSON.stringify(lookups)).not.toContain('943 476 5919');
      expect(lookups.find((e) => e.detail?.malformed)?.detail).toMatchObject({
        malformed: { length: 16, sha256: expect.stringMatching(/^[0-9a-f]{16}$/) },
      });
    });
  });

  describe('the budget of persons disclosed', () => {
    it('counts distinct persons released, not requests: one request cannot take more than the budget', async () => {
      const ids = take(PERSONS_PER_MINUTE + 2);
      const requestId = randomUUID();
      const res = await entities('stewardA', asPersons(ids), {
        'x-purpose': 'DATA_QUALITY',
        'x-request-id': requestId,
      }).expect(429);
      expect(released(res.body)).toBe(PERSONS_PER_MINUTE);
      const codes = codesOf(res.body);
      expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(2);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      // The persons refused were never disclosed: the trail says so.
      const views = (await auditOf(requestId)).filter((e) => e.operation === 'person.view' && e.decision !== 'deny');
      expect(views).toHaveLength(PERSONS_PER_MINUTE);
      const refusals = (await auditOf(requestId)).filter((e) => e.operation === 'disclosure-limit.persons');
      expect(refusals.length).toBeGreaterThan(0);

      // The next request, for one more person, is over budget too.
      const more = await entities('stewardA', asPersons(take(1)), { 'x-purpose': 'DATA_QUALITY' }).expect(429);
      expect(codesOf(more.body)).toEqual(['RATE_LIMITED']);
      expect(more.body.data._entities).toEqual([null]);

      // A person asked for twice in one request counts once: 12 representations of 6 persons fit a budget of 10.
      const six = take(MAX_REPRESENTATIONS / 2);
      const twice = await entities('stewardB', asPersons([...six, ...six]), { 'x-purpose': 'DATA_QUALITY' }).expect(
        200,
      );
      expect(twice.body.errors).toBeUndefined();
      expect(released(twice.body)).toBe(MAX_REPRESENTATIONS);
    });
  });

  describe('a case reference covers a few persons', () => {
    it(`refuses a case reference past ${CASE_REFERENCE_MAX_PERSONS} persons, and flags it for the DPO`, async () => {
      const first = take(3);
      const ok = await entities('nhsCase', asPersons(first), {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'x',
      }).expect(200);
      expect(released(ok.body)).toBe(3);

      // Four more under the same reference: two fit, two are refused.
      const requestId = randomUUID();
      const second = take(4);
      const res = await entities('nhsCase', asPersons(second), {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'x',
        'x-request-id': requestId,
      }).expect(200);
      expect(released(res.body)).toBe(2);
      expect(codesOf(res.body)).toEqual(['CASE_REFERENCE_TOO_BROAD', 'CASE_REFERENCE_TOO_BROAD']);
      const flagged = (await auditOf(requestId)).filter((e) => e.operation === 'disclosure-limit.case-reference');
      expect(flagged.length).toBeGreaterThan(0);
      expect(flagged[0]).toMatchObject({ decision: 'deny', case_reference: 'x', actor_subject: nhsCase.subject });

      // Someone already disclosed under it still can be; a new reference starts afresh.
      const again = await entities('nhsCase', asPersons([first[0]]), {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'x',
      }).expect(200);
      expect(released(again.body)).toBe(1);
      const other = await entities('nhsCase', asPersons(take(2)), {
        'x-purpose': 'SAFEGUARDING',
        'x-case-reference': 'SG-OTHER',
      }).expect(200);
      expect(released(other.body)).toBe(2);

      const report = await post('dpo', {
        query:
          '{ auditAnomalies { caseReferenceMaxPersons broadCaseReferences { organisation caseReference persons } flagged { kind subject organisation caseReference count } } }',
      }).expect(200);
      const anomalies = report.body.data.auditAnomalies;
      expect(anomalies.caseReferenceMaxPersons).toBe(CASE_REFERENCE_MAX_PERSONS);
      expect(anomalies.flagged).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            kind: 'case-reference',
            subject: nhsCase.subject,
            organisation: 'nhs-trust',
            caseReference: 'x',
            count: 2,
          }),
        ]),
      );
      expect(anomalies.flagged).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'representations', subject: nhs.subject })]),
      );
    });

    it('lists a case reference the trail shows covering more persons than allowed (e.g. from before the limit)', async () => {
      const report = await post('dpo', {
        query: '{ auditAnomalies { broadCaseReferences { organisation caseReference persons } } }',
      }).expect(200);
      // Under "x": 5 persons, within the limit, so it is not listed; the limit refused the rest.
      expect(report.body.data.auditAnomalies.broadCaseReferences).toEqual([]);
      const extra = take(CASE_REFERENCE_MAX_PERSONS + 1);
      // Written straight into the trail as a disclosure before the limit existed would have been.
      const recorder = hub.app.get(AuditRecorder);
      for (const person of extra) {
        await recorder.record({
          actor: { subject: 'old-client', organisation: 'nhs-trust', roles: [Role.PartnerAgency] },
          operation: 'person.view',
          decision: 'allow',
          subjects: { persons: [person] },
          caseReference: 'OLD-1',
          purpose: 'SAFEGUARDING',
        });
      }
      const after = await post('dpo', {
        query: '{ auditAnomalies { broadCaseReferences { organisation caseReference persons } } }',
      }).expect(200);
      expect(after.body.data.auditAnomalies.broadCaseReferences).toEqual([
        { organisation: 'nhs-trust', caseReference: 'OLD-1', persons: CASE_REFERENCE_MAX_PERSONS + 1 },
      ]);
    });
  });

  describe("an agreement's expected daily volume", () => {
    const gql = async (who: string, query: string) =>
      (await post(who, { query }).expect(200)).body as {
        data: Record<string, unknown> | null;
        errors?: GraphqlError[];
      };

    beforeAll(async () => {
      for (const [id, kind] of [
        ['volume-flag-org', 'OTHER'],
        ['volume-refuse-org', 'OTHER'],
      ]) {
        const org = await gql(
          'admin',
          `mutation { createOrganisation(id: "${id}", name: "${id}", kind: ${kind}) { id } }`,
        );
        if (org.errors) throw new Error(JSON.stringify(org.errors));
      }
      for (const [id, party, extra] of [
        ['volume-flag', 'volume-flag-org', ', expectedDailyVolume: 3'],
        ['volume-refuse', 'volume-refuse-org', ', expectedDailyVolume: 3, refuseAboveExpectedVolume: true'],
      ]) {
        const created = await gql(
          'admin',
          `mutation { createAgreement(id: "${id}", content: ${agreementContent(`Volume test ${id}`, party, extra)}) { id expectedDailyVolume refuseAboveExpectedVolume } }`,
        );
        if (created.errors) throw new Error(JSON.stringify(created.errors));
        const activated = await gql(
          'dpo',
          `mutation { setAgreementStatus(id: "${id}", version: 1, status: ACTIVE, reason: "Signed for the test") { status } }`,
        );
        if (activated.errors) throw new Error(JSON.stringify(activated.errors));
      }
    });

    it('is validated: a positive whole number, and refusing above it needs one', async () => {
      const zero = await gql(
        'admin',
        `mutation { createAgreement(id: "volume-zero", content: ${agreementContent('Zero volume', 'volume-flag-org', ', expectedDailyVolume: 0')}) { id } }`,
      );
      expect(zero.errors?.[0].extensions.code).toBe('INVALID_ACCESS_RECORD');
      expect(zero.errors?.[0].message).toMatch(/expectedDailyVolume/);
      const refuseOnly = await gql(
        'admin',
        `mutation { createAgreement(id: "volume-none", content: ${agreementContent('No volume', 'volume-flag-org', ', refuseAboveExpectedVolume: true')}) { id } }`,
      );
      expect(refuseOnly.errors?.[0].extensions.code).toBe('INVALID_ACCESS_RECORD');
      const read = await gql(
        'dpo',
        '{ agreement(id: "volume-refuse") { expectedDailyVolume refuseAboveExpectedVolume } }',
      );
      expect(read.data!.agreement).toEqual({ expectedDailyVolume: 3, refuseAboveExpectedVolume: true });
    });

    it('flags a client past the volume its agreement expects, once, and still answers when the agreement only flags', async () => {
      const requestId = randomUUID();
      const res = await entities('flagPartner', asPersons(take(5)), {
        'x-purpose': 'SAFEGUARDING',
        'x-request-id': requestId,
      }).expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(released(res.body)).toBe(5);
      const flags = (await auditOf(requestId)).filter((e) => e.operation === 'disclosure-limit.expected-volume');
      expect(flags).toEqual([
        expect.objectContaining({
          decision: 'allow',
          actor_subject: flagPartner.subject,
          agreement_id: 'volume-flag',
          detail: expect.objectContaining({ expectedDailyVolume: 3, refused: false }),
        }),
      ]);
      const report = await post('dpo', {
        query: '{ auditAnomalies { flagged { kind subject organisation agreementId count } } }',
      }).expect(200);
      expect(report.body.data.auditAnomalies.flagged).toEqual(
        expect.arrayContaining([
          {
            kind: 'expected-volume',
            subject: flagPartner.subject,
            organisation: 'volume-flag-org',
            agreementId: 'volume-flag',
            count: 1,
          },
        ]),
      );
    });

    it('refuses a client past the expected volume when the agreement says so', async () => {
      const res = await entities('refusePartner', asPersons(take(5)), { 'x-purpose': 'SAFEGUARDING' }).expect(200);
      expect(released(res.body)).toBe(3);
      expect(codesOf(res.body)).toEqual(['EXPECTED_VOLUME_EXCEEDED', 'EXPECTED_VOLUME_EXCEEDED']);
    });
  });

  describe('free text', () => {
    const bad: [string, string][] = [
      ['a NUL byte', 'Signed\u0000 agreement'],
      ['an escape (C0)', 'Signed \u001b[31m agreement'],
      ['DEL', 'Signed \u007f agreement'],
      ['a C1 control', 'Signed \u0085 agreement'],
      ['a bidi override', 'Signed \u202e tnemeerga'],
      ['a bidi isolate', 'Signed \u2067 agreement'],
    ];

    it.each(bad)(
      'refuses %s in an agreement title with BAD_USER_INPUT before anything is written',
      async (_what, title) => {
        const id = `hygiene-${randomUUID().slice(0, 8)}`;
        const requestId = randomUUID();
        const res = await post(
          'admin',
          {
            query:
              'mutation ($id: String!, $content: AgreementContentInput!) { createAgreement(id: $id, content: $content) { id } }',
            variables: {
              id,
              content: {
                title,
                parties: ['council'],
                purposes: ['SAFEGUARDING'],
                lawfulBasis: 'PUBLIC_TASK',
                releases: [{ purpose: 'SAFEGUARDING', fields: ['hub.identity.givenName'] }],
                roles: ['PARTNER_AGENCY'],
                caseReferenceRequired: true,
                validFrom: '2025-01-01T00:00:00Z',
                reviewDate: '2027-01-01',
              },
            },
          },
          { 'x-request-id': requestId },
        );
        expect(res.status).toBe(400);
        expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
        expect(res.body.errors[0].extensions.details).toMatchObject({ argument: 'content', field: 'title' });
        expect(await hub.db.dataSource.query('select 1 from data_sharing_agreement where id = $1', [id])).toEqual([]);
        expect(await auditOf(requestId)).toEqual([]);
      },
    );

    it('refuses a tab or a line break in a one-line field (a title, in the query text), and lets a multi-line field (an objection reason) keep them', async () => {
      for (const title of ['Signed\tagreement', 'Signed\nagreement']) {
        const res = await post('admin', {
          query: `mutation { createAgreement(id: "hygiene-tab", content: ${agreementContent(title, 'council', '')}) { id } }`,
        });
        expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      }
      const [person] = take(1);
      const res = await post('dpo', {
        query: 'mutation ($input: RecordObjectionInput!) { recordObjection(input: $input) { id reason } }',
        variables: {
          input: {
            personId: person,
            kind: 'OBJECTION',
            reason: 'The person wrote to the council.\r\nThey object to any sharing\twith partner agencies.',
            evidence: 'EDRMS:EH-2025-00125',
          },
        },
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.recordObjection.reason).toContain('\n');
    });

    it('refuses a NUL byte in consent evidence and in a break-glass reason, and a bidi override in an objection reason', async () => {
      const [person] = take(1);
      const consent = await post('dpo', {
        query: 'mutation ($input: RecordConsentInput!) { recordConsent(input: $input) { id } }',
        variables: { input: { personId: person, status: 'GIVEN', evidence: 'EDRMS:EH-2025-0012\u00003' } },
      });
      expect(codesOf(consent.body)).toEqual(['BAD_USER_INPUT']);
      const breakGlass = await post('caseworker', {
        query: 'mutation ($input: BreakGlassInput!) { breakGlass(input: $input) { id } }',
        variables: {
          input: {
            personId: person,
            purpose: 'EARLY_HELP',
            reason: 'Police at the door, child at risk tonight\u0000 and no case open',
            minutes: 30,
          },
        },
      });
      expect(codesOf(breakGlass.body)).toEqual(['BAD_USER_INPUT']);
      const objection = await post('dpo', {
        query: 'mutation ($input: RecordObjectionInput!) { recordObjection(input: $input) { id } }',
        variables: {
          input: {
            personId: person,
            kind: 'OBJECTION',
            reason: 'The person objects to \u202eany sharing with partners',
            evidence: 'EDRMS:EH-2025-00124',
          },
        },
      });
      expect(codesOf(objection.body)).toEqual(['BAD_USER_INPUT']);
      expect(
        await hub.db.dataSource.query(
          'select 1 from consent where person_id = $1 union all select 1 from objection where person_id = $1 union all select 1 from break_glass where person_id = $1',
          [person],
        ),
      ).toEqual([]);
    });
  });
});
