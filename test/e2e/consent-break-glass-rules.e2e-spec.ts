import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AccessErrorCode } from '../../src/engine/access.exception';
import { ConsentService } from '../../src/access/consent/consent.service';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Principal, Role } from '../../src/engine/principal';
import { ConfigError } from '../../src/config/config';
import { loadConfig } from '../../src/hub-config';
import { AccessTestHub, startAccessTestHub } from '../support/access-test-hub';
import { PERSON_1, PERSON_2, PolicyProbeModule } from '../support/policy-probe.module';

jest.setTimeout(90_000);

/** Lives in HOUSEHOLD, whose case the housing-options team of the council holds. */
const MEMBER = '77777777-7777-4777-8777-777777777777';
const HOUSEHOLD = '88888888-8888-4888-8888-888888888888';
/** Merged into PERSON_1 by the person index. */
const MERGED = '99999999-9999-4999-8999-999999999999';
const EVIDENCE = 'EDRMS:EH-2025-00123';

const admin: Principal = { subject: 'ash', organisation: 'council', roles: [Role.Admin] };
const people: Record<string, DevTokenRequest> = {
  alice: { subject: 'am-alice', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-north' },
  // Alice's team mate: PERSON_1's case is assigned to Alice herself, not to the team.
  eve: { subject: 'am-eve', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-north' },
  carol: { subject: 'cw-carol', organisation: 'council', roles: [Role.Caseworker], team: 'housing-options' },
  dpo: { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] },
  nhs: { subject: 'nhs-client', organisation: 'nhs-trust', roles: [Role.PartnerAgency] },
  charity: { subject: 'advice-client', organisation: 'advice-charity', roles: [Role.PartnerAgency] },
  // Break-glass users of their own, so that each test counts only its own grants against the daily limit.
  bgReasons: { subject: 'am-reasons', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-south' },
  bgBusy: { subject: 'am-busy', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-south' },
  bgRace: { subject: 'am-race', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-south' },
  bgConsent: { subject: 'am-glass', organisation: 'council', roles: [Role.AccountManager], team: 'early-help-south' },
};
const REASON = 'Child reported missing tonight; the allocated worker is unreachable';

interface GqlBody {
  data: Record<string, ReturnType<typeof JSON.parse>> | null;
  errors?: { message: string; extensions: { code: string; details?: Record<string, unknown> } }[];
}

describe('who may record consent and objections, and break the glass', () => {
  let hub: AccessTestHub;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    hub = await startAccessTestHub([PolicyProbeModule]);
    await hub.app.get(AccessSeedService).seedDemo();
    const ds = hub.db.dataSource;
    await ds.query(`insert into person (id) values ($1), ($2), ($3), ($4)`, [PERSON_1, PERSON_2, MEMBER, MERGED]);
    await ds.query(`update person set status = 'merged', merged_into = $2 where id = $1`, [MERGED, PERSON_1]);
    await ds.query(`insert into household (id, address_key) values ($1, 'rules-test-address')`, [HOUSEHOLD]);
    await ds.query(
      `insert into household_membership (household_id, person_id, valid_from) values ($1, $2, now() - interval '1 year')`,
      [HOUSEHOLD, MEMBER],
    );
    const assignments = hub.app.get(CaseAssignmentsService);
    await assignments.assign(
      { subjectKind: 'person', subjectId: PERSON_1, team: 'early-help-north', userSubject: 'am-alice' },
      admin,
    );
    await assignments.assign({ subjectKind: 'household', subjectId: HOUSEHOLD, team: 'housing-options' }, admin);
    const issuer = hub.app.get(DevTokenIssuer);
    for (const [name, who] of Object.entries(people)) tokens.set(name, await issuer.issue(who));
  });
  afterAll(() => hub.stop());
  beforeEach(() => hub.audit.clear());

  const gql = async (who: string, query: string, headers: Record<string, string> = {}): Promise<GqlBody> => {
    const res = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set(headers)
      .send({ query });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as GqlBody;
  };
  const code = (body: GqlBody) => body.errors?.[0]?.extensions.code;
  const consent = (who: string, personId: string, extra: string, evidence = EVIDENCE) =>
    gql(
      who,
      `mutation { recordConsent(input: { personId: "${personId}", evidence: "${evidence}", ${extra} }) { id personId status recordedBy } }`,
    );
  const objection = (who: string, personId: string, extra: string, evidence = EVIDENCE) =>
    gql(
      who,
      `mutation { recordObjection(input: { personId: "${personId}", evidence: "${evidence}", ${extra} }) { id personId kind requestedKind reviewStatus recordedBy evidence liftedAt } }`,
    );
  const breakGlass = (who: string, personId: string, reason = REASON, purpose = 'EARLY_HELP') =>
    gql(
      who,
      `mutation { breakGlass(input: { personId: "${personId}", purpose: "${purpose}", minutes: 30, reason: ${JSON.stringify(reason)} }) { id personId } }`,
    );
  const storedConsents = async (personId: string) =>
    (await gql('dpo', `{ consents(personId: "${personId}") { id status recordedBy } }`)).data!.consents as {
      id: string;
    }[];
  const nhsView = () =>
    gql('nhs', `{ probePerson(id: "${PERSON_1}") { givenName } }`, {
      'x-purpose': 'SAFEGUARDING',
      'x-case-reference': 'SG-2025-0042',
    });

  describe('recording consent or an objection needs a legitimate relationship', () => {
    it('refuses staff with no case for the person, records nothing, and audits the refusal with who asked', async () => {
      const before = await gql('charity', `{ probePerson(id: "${PERSON_2}") { givenName } }`, {
        'x-purpose': 'BENEFIT_ELIGIBILITY',
      });
      expect(before.errors![0].message).toMatch(/rests on consent and none is recorded/);

      const refused = await consent(
        'alice',
        PERSON_2,
        'status: GIVEN, purpose: "BENEFIT_ELIGIBILITY", recipientOrganisation: "advice-charity"',
      );
      expect(code(refused)).toBe(AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP);
      expect(refused.data).toBeNull();
      expect(await storedConsents(PERSON_2)).toEqual([]);
      const after = await gql('charity', `{ probePerson(id: "${PERSON_2}") { givenName } }`, {
        'x-purpose': 'BENEFIT_ELIGIBILITY',
      });
      expect(after.data!.probePerson).toBeNull();
      expect(after.errors![0].message).toMatch(/rests on consent and none is recorded/);

      const objected = await objection(
        'alice',
        PERSON_2,
        'kind: OBJECTION, reason: "Does not want the NHS told anything"',
      );
      expect(code(objected)).toBe(AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP);
      expect((await gql('dpo', `{ objections(personId: "${PERSON_2}") { id } }`)).data!.objections).toEqual([]);

      const records = hub.audit.events.filter((e) => e.operation.endsWith('.record'));
      expect(records.map((e) => [e.operation, e.decision, e.actor?.subject, e.subjects?.persons])).toEqual([
        ['consent.record', 'deny', 'am-alice', [PERSON_2]],
        ['objection.record', 'deny', 'am-alice', [PERSON_2]],
      ]);
      expect(records[0].reasons).toEqual([
        expect.stringMatching(/is not on the caseload of am-alice or team early-help-north of council/),
      ]);
    });

    it('accepts a case of the recorder, or of their team for the household, in their own organisation only', async () => {
      const own = await consent('alice', PERSON_1, 'status: GIVEN, purpose: "EARLY_HELP"');
      expect(own.errors).toBeUndefined();
      expect(own.data!.recordConsent).toMatchObject({ personId: PERSON_1, status: 'GIVEN', recordedBy: 'am-alice' });
      expect(hub.audit.of('consent.record')[0]).toMatchObject({
        decision: 'change',
        actor: expect.objectContaining({ subject: 'am-alice' }),
        justification: { relationshipId: expect.any(String) },
        detail: expect.objectContaining({ recordedBy: 'am-alice', standing: 'case' }),
      });

      // The case is Alice's own, not her team's.
      expect(code(await consent('eve', PERSON_1, 'status: GIVEN, purpose: "EARLY_HELP"'))).toBe(
        AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      );

      const household = await consent('carol', MEMBER, 'status: REFUSED, purpose: "HOUSING_NEED"');
      expect(household.data!.recordConsent).toMatchObject({
        personId: MEMBER,
        status: 'REFUSED',
        recordedBy: 'cw-carol',
      });

      // A team of the same name in another organisation holds none of the council's cases.
      const elsewhere: Principal = {
        subject: 'cw-carol',
        organisation: 'nhs-trust',
        roles: [Role.Caseworker],
        team: 'housing-options',
      };
      await expect(
        hub.app.get(ConsentService).recordConsent({ personId: MEMBER, status: 'given', evidence: EVIDENCE }, elsewhere),
      ).rejects.toMatchObject({
        code: AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      });
      // Neither does a role that is not a caseload role (an administrator).
      await expect(
        hub.app.get(ConsentService).recordConsent({ personId: MEMBER, status: 'given', evidence: EVIDENCE }, admin),
      ).rejects.toMatchObject({
        code: AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      });
      expect((await storedConsents(MEMBER)).map((c) => c)).toEqual([
        expect.objectContaining({ status: 'REFUSED', recordedBy: 'cw-carol' }),
      ]);
    });

    it('accepts a valid break-glass grant of the recorder for the person, and a consent given under it only for its purpose', async () => {
      const grant = await breakGlass('bgConsent', PERSON_2);
      const id = grant.data!.breakGlass.id as string;
      const withGrant = (extra: string, who = 'bgConsent') => consent(who, PERSON_2, `${extra}, breakGlassId: "${id}"`);

      const given = await withGrant('status: GIVEN, purpose: "EARLY_HELP"');
      expect(given.data!.recordConsent).toMatchObject({ personId: PERSON_2, status: 'GIVEN', recordedBy: 'am-glass' });
      expect(hub.audit.of('consent.record').at(-1)).toMatchObject({
        justification: { breakGlassId: id },
        detail: expect.objectContaining({ standing: 'break-glass' }),
      });

      // Consent for every purpose, or another purpose, would open more than the emergency covers.
      expect(code(await withGrant('status: GIVEN'))).toBe(AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP);
      expect(code(await withGrant('status: GIVEN, purpose: "HOUSING_NEED"'))).toBe(
        AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      );
      // A withdrawal or an objection only closes: any scope.
      expect((await withGrant('status: WITHDRAWN')).data!.recordConsent).toMatchObject({ status: 'WITHDRAWN' });
      // Someone else's grant is not a relationship.
      const borrowed = await withGrant('status: WITHDRAWN', 'eve');
      expect(code(borrowed)).toBe(AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP);
      expect(borrowed.errors![0].extensions.details).toEqual({
        reasons: [
          expect.stringMatching(/not on the caseload/),
          `break-glass grant ${id} not usable: granted to someone else`,
        ],
      });

      // Nor is a grant that has run out.
      await hub.db.dataSource.query(
        `update break_glass set granted_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' where id = $1`,
        [id],
      );
      expect(code(await withGrant('status: WITHDRAWN'))).toBe(AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP);
    });

    it('lets the DPO record for anyone who exists', async () => {
      const res = await consent('dpo', PERSON_2, 'status: REFUSED');
      expect(res.data!.recordConsent).toMatchObject({ personId: PERSON_2, status: 'REFUSED', recordedBy: 'dpo-dee' });
      expect(hub.audit.of('consent.record')[0]).toMatchObject({
        detail: expect.objectContaining({ recordedBy: 'dpo-dee', standing: 'dpo' }),
      });
    });
  });

  describe('the person must exist', () => {
    it('refuses an id the person index does not hold, for consent, objections and break-glass', async () => {
      const nobody = randomUUID();
      expect(code(await consent('dpo', nobody, 'status: GIVEN'))).toBe(AccessErrorCode.UNKNOWN_PERSON);
      expect(code(await objection('dpo', nobody, 'kind: RESTRICTION, reason: "Says the address held is wrong"'))).toBe(
        AccessErrorCode.UNKNOWN_PERSON,
      );
      expect(code(await breakGlass('bgReasons', nobody))).toBe(AccessErrorCode.UNKNOWN_PERSON);
      const rows = await hub.db.dataSource.query(
        `select (select count(*) from consent where person_id = $1)::int + (select count(*) from objection where person_id = $1)::int
              + (select count(*) from break_glass where person_id = $1)::int as n`,
        [nobody],
      );
      expect(rows[0].n).toBe(0);
    });

    it('records against the survivor when the id was merged, and says so in the audit trail', async () => {
      const res = await consent('alice', MERGED, 'status: WITHDRAWN, purpose: "EARLY_HELP"');
      expect(res.data!.recordConsent).toMatchObject({ personId: PERSON_1, status: 'WITHDRAWN' });
      expect(hub.audit.of('consent.record')[0]).toMatchObject({
        subjects: { persons: [PERSON_1] },
        detail: expect.objectContaining({ askedPersonId: MERGED }),
      });
      expect((await storedConsents(PERSON_1)).map((c) => c.id)).toContain(res.data!.recordConsent.id);
      expect(await storedConsents(MERGED)).toEqual([]);

      const grant = await breakGlass('bgReasons', MERGED);
      expect(grant.data!.breakGlass.personId).toBe(PERSON_1);
      expect(hub.audit.of('break-glass.grant')[0]).toMatchObject({
        subjects: { persons: [PERSON_1] },
        detail: expect.objectContaining({ askedPersonId: MERGED }),
      });
    });
  });

  describe('evidence is a reference', () => {
    it.each([
      ['free text', 'Signed form EH-1, scanned to the case file'],
      ['no system', 'EH-2025-00123'],
      ['nothing numbered', 'EDRMS:signed-form'],
      ['too short', 'CRM:1'],
      ['one character repeated', 'EDRMS:0000'],
      ['blank', ' '],
    ])('refuses %s', async (_, evidence) => {
      const res = await consent('dpo', PERSON_2, 'status: GIVEN', evidence);
      expect(code(res)).toBe(AccessErrorCode.INVALID_ACCESS_RECORD);
      expect(res.errors![0].message).toMatch(/SYSTEM:REFERENCE/);
      expect(
        code(await objection('dpo', PERSON_2, 'kind: RESTRICTION, reason: "Says the address held is wrong"', evidence)),
      ).toBe(AccessErrorCode.INVALID_ACCESS_RECORD);
    });

    it('accepts a system and a numbered reference there, and keeps it on the objection', async () => {
      for (const evidence of ['MOSAIC:DOC/88231', 'CRM:CASE-4471/NOTE-9', 'POST:2025/06/0142']) {
        expect((await consent('dpo', PERSON_2, 'status: REFUSED', evidence)).errors).toBeUndefined();
      }
      const res = await objection(
        'dpo',
        PERSON_2,
        'kind: RESTRICTION, source: "housing", reason: "Says the address held is wrong"',
        'POST:2025/06/0142',
      );
      expect(res.data!.recordObjection.evidence).toBe('POST:2025/06/0142');
    });
  });

  describe('objections recorded by staff', () => {
    it('refuses a reason that gives no grounds, so it stops nothing', async () => {
      for (const reason of ['x', 'objects', 'no no no no no no', 'test test lorem ipsum']) {
        const res = await objection(
          'alice',
          PERSON_1,
          `kind: OBJECTION, recipientOrganisation: "nhs-trust", reason: "${reason}"`,
        );
        expect(code(res)).toBe(AccessErrorCode.INVALID_ACCESS_RECORD);
      }
      const alice: Principal = {
        subject: 'am-alice',
        organisation: 'council',
        roles: [Role.AccountManager],
        team: 'early-help-north',
      };
      await expect(
        hub.app.get(ConsentService).recordObjection(
          {
            personId: PERSON_1,
            kind: 'objection',
            recipientOrganisation: 'nhs-trust',
            reason: 'x',
            evidence: EVIDENCE,
          },
          alice,
        ),
      ).rejects.toMatchObject({ code: AccessErrorCode.INVALID_ACCESS_RECORD });
      expect((await nhsView()).data!.probePerson).toEqual({ givenName: 'Ada' });
    });

    it('apply at once as a restriction, wait for the DPO, who confirms or dismisses them', async () => {
      expect((await nhsView()).data!.probePerson).toEqual({ givenName: 'Ada' });
      const first = await objection(
        'alice',
        PERSON_1,
        'kind: OBJECTION, recipientOrganisation: "nhs-trust", reason: "Does not want the NHS trust to see her file"',
      );
      expect(first.data!.recordObjection).toMatchObject({
        personId: PERSON_1,
        kind: 'RESTRICTION',
        requestedKind: 'OBJECTION',
        reviewStatus: 'PENDING',
        recordedBy: 'am-alice',
      });
      const firstId = first.data!.recordObjection.id as string;
      expect(hub.audit.of('objection.record')[0]).toMatchObject({
        actor: expect.objectContaining({ subject: 'am-alice' }),
        justification: { relationshipId: expect.any(String) },
        detail: expect.objectContaining({
          objectionId: firstId,
          kind: 'restriction',
          requestedKind: 'objection',
          reviewStatus: 'pending',
          recordedBy: 'am-alice',
        }),
      });
      const restricted = await nhsView();
      expect(restricted.data!.probePerson).toBeNull();
      expect(restricted.errors![0].message).toMatch(
        new RegExp(`restriction of processing \\(UK GDPR Art\\. 18\\) ${firstId}`),
      );

      expect(code(await gql('alice', '{ objectionReviewQueue { id } }'))).toBe('FORBIDDEN');
      expect(
        code(
          await gql(
            'alice',
            `mutation { reviewObjection(input: { id: "${firstId}", outcome: DISMISSED, note: "mine" }) { id } }`,
          ),
        ),
      ).toBe('FORBIDDEN');
      const queue = await gql('dpo', '{ objectionReviewQueue { id recordedBy requestedKind } }');
      expect(queue.data!.objectionReviewQueue).toEqual([
        { id: firstId, recordedBy: 'am-alice', requestedKind: 'OBJECTION' },
      ]);
      const lift = await gql('dpo', `mutation { liftObjection(id: "${firstId}", reason: "not now") { id } }`);
      expect(lift.errors![0].message).toMatch(/awaits review/);

      const dismissed = await gql(
        'dpo',
        `mutation { reviewObjection(input: { id: "${firstId}", outcome: DISMISSED, note: "Recorded for the wrong resident" }) { reviewStatus reviewedBy liftedAt liftedBy } }`,
      );
      expect(dismissed.data!.reviewObjection).toEqual({
        reviewStatus: 'DISMISSED',
        reviewedBy: 'dpo-dee',
        liftedAt: expect.any(String),
        liftedBy: 'dpo-dee',
      });
      expect((await nhsView()).data!.probePerson).toEqual({ givenName: 'Ada' });
      expect(
        code(
          await gql(
            'dpo',
            `mutation { reviewObjection(input: { id: "${firstId}", outcome: CONFIRMED, note: "again" }) { id } }`,
          ),
        ),
      ).toBe(AccessErrorCode.INVALID_ACCESS_RECORD);

      const second = await objection(
        'alice',
        PERSON_1,
        'kind: OBJECTION, recipientOrganisation: "nhs-trust", reason: "Objected again by letter, with her grounds"',
      );
      const secondId = second.data!.recordObjection.id as string;
      const confirmed = await gql(
        'dpo',
        `mutation { reviewObjection(input: { id: "${secondId}", outcome: CONFIRMED, note: "Grounds stand; no overriding reason" }) { kind reviewStatus liftedAt } }`,
      );
      expect(confirmed.data!.reviewObjection).toEqual({ kind: 'OBJECTION', reviewStatus: 'CONFIRMED', liftedAt: null });
      const objected = await nhsView();
      expect(objected.data!.probePerson).toBeNull();
      expect(objected.errors![0].message).toMatch(new RegExp(`objection \\(UK GDPR Art\\. 21\\) ${secondId}`));
      expect((await gql('dpo', '{ objectionReviewQueue { id } }')).data!.objectionReviewQueue).toEqual([]);
      expect(
        hub.audit.of('objection.review').map((e) => [e.actor?.subject, e.detail?.outcome, e.detail?.recordedBy]),
      ).toEqual([
        ['dpo-dee', 'dismissed', 'am-alice'],
        ['dpo-dee', 'confirmed', 'am-alice'],
      ]);
      await gql(
        'dpo',
        `mutation { liftObjection(id: "${secondId}", reason: "Withdrawn by the person in writing") { id } }`,
      );
    });

    it('stand as asked, with no review, when the DPO records them', async () => {
      const res = await objection(
        'dpo',
        MEMBER,
        'kind: OBJECTION, source: "benefits", reason: "Objects to benefits data being shared"',
      );
      expect(res.data!.recordObjection).toMatchObject({
        kind: 'OBJECTION',
        requestedKind: 'OBJECTION',
        reviewStatus: null,
      });
      expect((await gql('dpo', '{ objectionReviewQueue { id } }')).data!.objectionReviewQueue).toEqual([]);
    });
  });

  describe('break-glass', () => {
    it.each([
      ['too short once spaces are squeezed', `Urgent${' '.repeat(40)}now`],
      ['one repeated character', 'a'.repeat(40)],
      ['one word, repeated', 'urgent urgent urgent urgent urgent urgent'],
      ['placeholder text', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit'],
      ['filler', 'test test test test test test test test'],
      ['punctuation', '.....................................'],
    ])('refuses a reason that is %s', async (_, reason) => {
      const res = await breakGlass('bgReasons', PERSON_2, reason);
      expect(code(res)).toBe(AccessErrorCode.INVALID_ACCESS_RECORD);
    });

    it('caps the grants per user in any 24 hours, audits the refusal, and counts nobody else', async () => {
      const limit = loadConfig({ NODE_ENV: 'test' }).access.breakGlassMaxPerDay;
      expect(limit).toBe(3);
      const granted = [];
      for (let i = 0; i < limit; i++)
        granted.push((await breakGlass('bgBusy', i % 2 ? PERSON_2 : MEMBER)).data!.breakGlass.id);
      hub.audit.clear();
      const refused = await breakGlass('bgBusy', PERSON_2);
      expect(code(refused)).toBe(AccessErrorCode.BREAK_GLASS_LIMIT_REACHED);
      expect(refused.errors![0].extensions.details).toEqual({ limit: 3, grantsInLast24Hours: 3 });
      expect(hub.audit.events).toEqual([
        expect.objectContaining({
          operation: 'break-glass.refuse',
          decision: 'deny',
          actor: expect.objectContaining({ subject: 'am-busy' }),
          subjects: { persons: [PERSON_2] },
          purpose: 'EARLY_HELP',
          detail: expect.objectContaining({ refused: AccessErrorCode.BREAK_GLASS_LIMIT_REACHED, limit: 3 }),
        }),
      ]);
      const [{ n }] = await hub.db.dataSource.query(
        `select count(*)::int as n from break_glass where grantee_subject = 'am-busy'`,
      );
      expect(n).toBe(3);

      // The same name in another organisation is another user.
      const elsewhere = await hub.app
        .get(DevTokenIssuer)
        .issue({ ...people.bgBusy, organisation: 'nhs-trust', roles: [Role.Caseworker] });
      const other = await request(hub.server)
        .post('/graphql')
        .set('authorization', `Bearer ${elsewhere}`)
        .send({
          query: `mutation { breakGlass(input: { personId: "${PERSON_2}", purpose: "EARLY_HELP", minutes: 30, reason: ${JSON.stringify(REASON)} }) { id } }`,
        });
      expect(other.body.errors).toBeUndefined();

      // A grant more than 24 hours old no longer counts.
      await hub.db.dataSource.query(
        `update break_glass set granted_at = granted_at - interval '25 hours', expires_at = expires_at - interval '25 hours' where id = $1`,
        [granted[0]],
      );
      expect((await breakGlass('bgBusy', PERSON_2)).errors).toBeUndefined();
      expect(code(await breakGlass('bgBusy', PERSON_2))).toBe(AccessErrorCode.BREAK_GLASS_LIMIT_REACHED);
    });

    it('holds the cap when one user asks many times at once', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => breakGlass('bgRace', PERSON_2)));
      expect(results.filter((r) => !r.errors).length).toBe(3);
      expect(results.filter((r) => code(r) === AccessErrorCode.BREAK_GLASS_LIMIT_REACHED).length).toBe(3);
      const [{ n }] = await hub.db.dataSource.query(
        `select count(*)::int as n from break_glass where grantee_subject = 'am-race'`,
      );
      expect(n).toBe(3);
    });

    it('takes the cap from BREAK_GLASS_MAX_PER_DAY', () => {
      expect(loadConfig({ NODE_ENV: 'test', BREAK_GLASS_MAX_PER_DAY: '5' }).access.breakGlassMaxPerDay).toBe(5);
      expect(() => loadConfig({ NODE_ENV: 'test', BREAK_GLASS_MAX_PER_DAY: '0' })).toThrow(ConfigError);
    });
  });
});
