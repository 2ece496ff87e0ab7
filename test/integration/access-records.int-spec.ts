import { DataSource } from 'typeorm';
import { accessEntities } from '../../src/access/access.entities';
import { AccessErrorCode, AccessException } from '../../src/engine/access.exception';
import { AgreementContent } from '../../src/access/agreements/agreement-validation';
import { AgreementsService } from '../../src/access/agreements/agreements.service';
import { ConsentService } from '../../src/access/consent/consent.service';
import { RecordingStanding } from '../../src/access/consent/recording-standing';
import { OrganisationsService } from '../../src/access/organisations/organisations.service';
import { AccessFactsLoader, RelationshipFacts } from '../../src/access/policy/access-facts.loader';
import { AnswerRequest, PolicyService } from '../../src/access/policy/policy.service';
import { AgreementStatus, LawfulBasis } from '../../src/access/policy/policy.types';
import { PurposesService } from '../../src/access/purposes/purposes.service';
import { PurposeEntity } from '../../src/access/purposes/purpose.entity';
import { ReferenceFactsCache } from '../../src/access/policy/reference-facts.cache';
import { BreakGlassService } from '../../src/access/relationships/break-glass.service';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { Principal, Role } from '../../src/engine/principal';
import { AppConfig } from '../../src/config/config';
import { loadConfig } from '../../src/hub-config';
import { RecordingAuditRecorder } from '../support/recording-audit';
import { createTestDatabase, TestDatabase } from '../support/test-database';

jest.setTimeout(60_000);

const admin: Principal = { subject: 'ash', organisation: 'council', roles: [Role.Admin] };
const dpo: Principal = { subject: 'dee', organisation: 'council', roles: [Role.Dpo] };
const caseworker: Principal = {
  subject: 'carol',
  organisation: 'council',
  roles: [Role.Caseworker],
  team: 'housing-options',
};
const PERSON = '44444444-4444-4444-8444-444444444444';
const HOUSEHOLD = '55555555-5555-4555-8555-555555555555';
const FORMER = '66666666-6666-4666-8666-666666666666';

const content = (fields: string[], extra: Partial<AgreementContent> = {}): AgreementContent => ({
  title: 'Housing need',
  parties: ['council'],
  purposes: ['HOUSING_NEED'],
  lawfulBasis: LawfulBasis.PublicTask,
  releases: [{ purpose: 'HOUSING_NEED', fields }],
  roles: [Role.Caseworker],
  caseReferenceRequired: false,
  validFrom: new Date('2025-01-01T00:00:00Z'),
  reviewDate: '2026-01-01',
  ...extra,
});

describe('access records on PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: RecordingAuditRecorder;
  let config: AppConfig;
  let cache: ReferenceFactsCache;
  let agreements: AgreementsService;
  let consent: ConsentService;
  let assignments: CaseAssignmentsService;
  let breakGlass: BreakGlassService;

  beforeAll(async () => {
    db = await createTestDatabase(accessEntities);
    ds = db.dataSource;
    audit = new RecordingAuditRecorder();
    config = loadConfig({ NODE_ENV: 'test' });
    cache = new ReferenceFactsCache(config);
    agreements = new AgreementsService(ds, audit, cache);
    assignments = new CaseAssignmentsService(ds, audit);
    breakGlass = new BreakGlassService(ds, audit, config);
    consent = new ConsentService(ds, audit, new RecordingStanding(assignments, breakGlass, audit));
    await new OrganisationsService(ds, audit, cache).create(
      { id: 'council', name: 'Northshire Council', kind: 'council' },
      admin,
    );
    // PERSON lives in HOUSEHOLD now; FORMER lived there and moved out last year.
    await ds.query(`insert into person (id) values ($1), ($2)`, [PERSON, FORMER]);
    await ds.query(`insert into household (id, address_key) values ($1, 'test-address')`, [HOUSEHOLD]);
    await ds.query(
      `insert into household_membership (household_id, person_id, valid_from, valid_to)
       values ($1, $2, now() - interval '2 years', null), ($1, $3, now() - interval '3 years', now() - interval '1 year')`,
      [HOUSEHOLD, PERSON, FORMER],
    );
  });
  afterAll(() => db.drop());
  beforeEach(() => {
    audit.clear();
    audit.failWith = undefined;
  });

  describe('agreements', () => {
    it('keeps every version as written; activation supersedes the one in force', async () => {
      await agreements.create('housing-need', content(['hub.identity.givenName']), admin);
      await agreements.setStatus('housing-need', 1, AgreementStatus.Active, 'signed', dpo);
      await agreements.addVersion(
        'housing-need',
        content(['hub.identity.givenName', 'housing.tenancy.tenure'], { title: 'Housing need v2' }),
        admin,
      );
      expect((await agreements.get('housing-need', 1)).status).toBe(AgreementStatus.Active);
      await agreements.setStatus('housing-need', 2, AgreementStatus.Active, 'variation', dpo);

      const [v2, v1] = await agreements.versions('housing-need');
      expect([v2.version, v2.status, v2.releases]).toEqual([
        2,
        'active',
        { HOUSING_NEED: ['hub.identity.givenName', 'housing.tenancy.tenure'] },
      ]);
      expect([v1.version, v1.status, v1.title, v1.releases]).toEqual([
        1,
        'superseded',
        'Housing need',
        { HOUSING_NEED: ['hub.identity.givenName'] },
      ]);
      expect(audit.events.map((e) => [e.operation, e.agreement?.version])).toEqual([
        ['agreement.create', 1],
        ['agreement.status', 1],
        ['agreement.version', 2],
        ['agreement.status', 2],
      ]);
      expect(audit.events[3].detail).toMatchObject({ from: 'draft', to: 'active', superseded: [1] });
      expect((await agreements.factsFor('council')).map((a) => [a.id, a.version])).toEqual([['housing-need', 2]]);
    });

    it('caches agreement facts, and the instance that changes an agreement sees the change at once', async () => {
      // Another hub instance: its own cache, with the default TTL.
      const elsewhere = new AgreementsService(ds, audit, new ReferenceFactsCache(config));
      await agreements.create('benefit-check', content(['hub.identity.givenName'], { title: 'Benefit check' }), admin);
      await agreements.setStatus('benefit-check', 1, AgreementStatus.Active, 'signed', dpo);
      const status = async (service: AgreementsService) =>
        (await service.factsFor('council')).find((a) => a.id === 'benefit-check')?.status;
      expect(await status(agreements)).toBe(AgreementStatus.Active);
      expect(await status(elsewhere)).toBe(AgreementStatus.Active);

      await agreements.setStatus('benefit-check', 1, AgreementStatus.Suspended, 'under review', dpo);
      expect(await status(agreements)).toBe(AgreementStatus.Suspended);
      // The other instance serves what it cached until its TTL runs out (or it is told)...
      expect(await status(elsewhere)).toBe(AgreementStatus.Active);
      elsewhere.factsChanged();
      expect(await status(elsewhere)).toBe(AgreementStatus.Suspended);

      await agreements.setStatus('benefit-check', 1, AgreementStatus.Expired, 'ended', dpo);
      expect(await status(agreements)).toBeUndefined();
      // ...and with the cache turned off reads every time.
      const uncached = new AgreementsService(
        ds,
        audit,
        new ReferenceFactsCache(loadConfig({ NODE_ENV: 'test', ACCESS_FACTS_CACHE_SECONDS: '0' })),
      );
      expect(await status(uncached)).toBeUndefined();
    });

    it('refuses to rewrite or delete a version in the database itself', async () => {
      await expect(
        ds.query(`update data_sharing_agreement set releases = '{}' where id = 'housing-need' and version = 1`),
      ).rejects.toThrow(/immutable/);
      await expect(ds.query(`delete from data_sharing_agreement where id = 'housing-need'`)).rejects.toThrow(
        /never deleted/,
      );
      expect((await agreements.get('housing-need', 1)).releases).toEqual({ HOUSING_NEED: ['hub.identity.givenName'] });
    });

    it('requires an Art. 9 condition, with a Schedule 1 paragraph, for social care data', async () => {
      const care = ['social-care.adult-social-care.caseType'];
      await expect(agreements.create('care', content(care), admin)).rejects.toThrow(
        /Art\. 9\(2\) condition is required/,
      );
      await expect(
        agreements.create('care', content(care, { specialCategoryCondition: { article9: 'g' } }), admin),
      ).rejects.toThrow(/Schedule 1 paragraph/);
      const ok = await agreements.create(
        'care',
        content(care, { specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 } }),
        admin,
      );
      expect(ok.specialCategorySchedule1Paragraph).toBe(18);
    });

    it('refuses a second agreement with the same id, and illegal transitions', async () => {
      await expect(agreements.create('housing-need', content([]), admin)).rejects.toThrow(/already exists/);
      await expect(agreements.setStatus('housing-need', 1, AgreementStatus.Active, 'again', dpo)).rejects.toThrow(
        /cannot go from superseded to active/,
      );
      await expect(agreements.setStatus('housing-need', 9, AgreementStatus.Active, 'x', dpo)).rejects.toThrow(
        /No agreement housing-need v9/,
      );
    });

    it('writes nothing when the audit trail refuses the event', async () => {
      audit.failWith = new Error('audit down');
      await expect(agreements.create('never', content([]), admin)).rejects.toThrow('audit down');
      await expect(agreements.get('never')).rejects.toThrow(/No agreement never/);
    });
  });

  describe('consent and objections', () => {
    // Recorded by the DPO: no one holds a case for PERSON yet (test/e2e/consent-break-glass-rules covers who may record).
    it('records consent as events and never edits one', async () => {
      const given = await consent.recordConsent(
        { personId: PERSON, status: 'given', purpose: 'HOUSING_NEED', evidence: 'EDRMS:HN-1' },
        dpo,
      );
      await consent.recordConsent(
        { personId: PERSON, status: 'withdrawn', purpose: 'HOUSING_NEED', evidence: 'CRM:CALL-2025-06-02' },
        dpo,
      );
      expect((await consent.consents(PERSON)).map((c) => c.status)).toEqual(['withdrawn', 'given']);
      await expect(ds.query(`update consent set status = 'given' where id = $1`, [given.id])).rejects.toThrow(
        /never changed/,
      );
      expect(audit.of('consent.record')).toHaveLength(2);
      expect(audit.of('consent.record')[0]).toMatchObject({
        subjects: { persons: [PERSON] },
        actor: { subject: 'dee' },
      });
    });

    it('gives a clear error for an unknown purpose or organisation, or a missing evidence', async () => {
      await expect(
        consent.recordConsent({ personId: PERSON, status: 'given', purpose: 'NOPE', evidence: 'EDRMS:HN-1' }, dpo),
      ).rejects.toThrow(/unknown purpose or organisation/);
      await expect(consent.recordConsent({ personId: PERSON, status: 'given', evidence: ' ' }, dpo)).rejects.toThrow(
        /needs evidence/,
      );
      await expect(
        consent.recordConsent({ personId: 'not-a-uuid', status: 'given', evidence: 'EDRMS:HN-1' }, dpo),
      ).rejects.toThrow(/UUID/);
    });

    it('lifts an objection once, with who and why', async () => {
      const objection = await consent.recordObjection(
        {
          personId: PERSON,
          kind: 'restriction',
          source: 'housing',
          reason: 'Disputes the accuracy of the address held',
          evidence: 'POST:2025/06/0142',
        },
        dpo,
      );
      const lifted = await consent.liftObjection(objection.id, 'Record corrected', dpo);
      expect(lifted).toMatchObject({ liftedBy: 'dee', liftedReason: 'Record corrected', liftedAt: expect.any(Date) });
      await expect(consent.liftObjection(objection.id, 'again', dpo)).rejects.toThrow(/already lifted/);
      expect((await consent.factsFor([PERSON])).objections).toEqual([
        expect.objectContaining({ kind: 'restriction', source: 'housing', liftedAt: expect.any(Date) }),
      ]);
    });
    it('holds an objection recorded against an id to the person it was later merged into, but not a consent', async () => {
      const [merged, survivor] = ['77777777-7777-4777-8777-777777777777', '88888888-8888-4888-8888-888888888888'];
      await ds.query(`insert into person (id) values ($1), ($2)`, [merged, survivor]);
      const objection = await consent.recordObjection(
        {
          personId: merged,
          kind: 'objection',
          reason: 'Does not want the charity to see any of her records',
          evidence: 'POST:2025/07/0001',
        },
        dpo,
      );
      await consent.recordConsent({ personId: merged, status: 'given', evidence: 'EDRMS:HN-77' }, dpo);
      await ds.query(`update person set status = 'merged', merged_into = $2 where id = $1`, [merged, survivor]);
      const facts = await consent.factsFor([survivor]);
      expect(facts.objections).toEqual([
        expect.objectContaining({ id: objection.id, personId: survivor, kind: 'objection' }),
      ]);
      expect(facts.consents).toEqual([]);
    });
  });

  describe('case assignments and break-glass', () => {
    it('finds assignments of the principal or its team, to the person or the household', async () => {
      const household = await assignments.assign(
        { subjectKind: 'household', subjectId: HOUSEHOLD, team: 'housing-options' },
        admin,
      );
      await assignments.assign(
        { subjectKind: 'person', subjectId: PERSON, team: 'adults', userSubject: 'someone-else' },
        admin,
      );
      const facts = await assignments.relationshipFacts(caseworker, [PERSON, FORMER, 'not-a-uuid'], new Date());
      expect(facts.households).toEqual([
        { personId: PERSON, householdId: HOUSEHOLD, from: expect.any(Date), to: undefined },
      ]);
      expect(facts.assignments.map((f) => f.id)).toEqual([household.id]);
      // The household's case covered its member only while they lived there.
      const lastYear = new Date(Date.now() - 400 * 86_400_000);
      expect((await assignments.relationshipFacts(caseworker, [FORMER], lastYear)).households).toEqual([
        { personId: FORMER, householdId: HOUSEHOLD, from: expect.any(Date), to: expect.any(Date) },
      ]);
      expect((await assignments.relationshipFacts(caseworker, [FORMER], new Date())).assignments).toEqual([]);
      // Which teams hold a case (what an existence answer may name): the person's own and their household's,
      // under the same validity rules as the facts above.
      expect(await assignments.holdingTeams([PERSON, FORMER, 'not-a-uuid'], new Date())).toEqual(
        new Map([
          [
            PERSON,
            [
              { team: 'adults', source: null },
              { team: 'housing-options', source: null },
            ],
          ],
        ]),
      );

      await assignments.end(household.id, admin);
      expect((await assignments.relationshipFacts(caseworker, [PERSON], new Date())).assignments).toEqual([]);
      expect(await assignments.holdingTeams([PERSON], new Date())).toEqual(
        new Map([[PERSON, [{ team: 'adults', source: null }]]]),
      );
      await expect(assignments.end(household.id, admin)).rejects.toThrow(/already ended/);
      expect(audit.events.map((e) => e.operation)).toEqual([
        'case-assignment.create',
        'case-assignment.create',
        'case-assignment.end',
      ]);
    });

    it('grants break-glass with a reason and a limit, and keeps it for review by someone else', async () => {
      await expect(
        breakGlass.grant({ personId: PERSON, purpose: 'HOUSING_NEED', reason: 'urgent', minutes: 30 }, caseworker),
      ).rejects.toThrow(/at least 30/);
      await expect(
        breakGlass.grant(
          {
            personId: PERSON,
            purpose: 'HOUSING_NEED',
            reason: 'Rough sleeper found, duty team unreachable tonight',
            minutes: 100_000,
          },
          caseworker,
        ),
      ).rejects.toThrow(/between 1 and 240 minutes/);
      const grant = await breakGlass.grant(
        {
          personId: PERSON,
          purpose: 'HOUSING_NEED',
          reason: 'Rough sleeper found, duty team unreachable tonight',
          minutes: 30,
        },
        caseworker,
      );
      expect(grant.expiresAt.getTime() - grant.grantedAt.getTime()).toBe(30 * 60_000);
      expect((await breakGlass.reviewQueue()).map((g) => g.id)).toEqual([grant.id]);
      await expect(breakGlass.review(grant.id, 'justified', 'fine', caseworker)).rejects.toThrow(/someone other/);
      const reviewed = await breakGlass.review(grant.id, 'justified', 'Genuine emergency', dpo);
      expect(reviewed).toMatchObject({ reviewStatus: 'justified', reviewedBy: 'dee', revokedAt: null });
      expect(await breakGlass.reviewQueue()).toEqual([]);
    });
  });

  describe('the policy service on real facts', () => {
    it('decides from the stored facts and audits the decision before returning it', async () => {
      const purposes = new PurposesService(ds.getRepository(PurposeEntity), cache);
      const loader = new AccessFactsLoader(
        purposes,
        agreements,
        consent,
        new RelationshipFacts(assignments, breakGlass),
      );
      const policy = new PolicyService(loader, purposes, audit);
      await assignments.assign({ subjectKind: 'household', subjectId: HOUSEHOLD, team: 'housing-options' }, admin);
      audit.clear();
      const decisions = await policy.decide({
        principal: caseworker,
        context: { purpose: 'HOUSING_NEED' },
        subjects: [{ personId: PERSON }],
        fields: ['hub.identity.givenName', 'housing.tenancy.tenure', 'housing.tenancy.rentAccountStatus'],
        operation: 'person.view',
      });
      const decision = decisions.get(PERSON)!;
      expect(decision).toMatchObject({
        effect: 'allow-with-redactions',
        released: ['hub.identity.givenName', 'housing.tenancy.tenure'],
        agreement: { id: 'housing-need', version: 2 },
        relationshipId: expect.any(String),
      });
      expect(audit.of('person.view')).toEqual([
        expect.objectContaining({
          decision: 'allow-with-redactions',
          withheld: [{ source: 'housing', field: 'tenancy.rentAccountStatus' }],
        }),
      ]);
    });

    it('decides a derived answer on the same path: its audit events, and the same denial as a view', async () => {
      const purposes = new PurposesService(ds.getRepository(PurposeEntity), cache);
      const loader = new AccessFactsLoader(
        purposes,
        agreements,
        consent,
        new RelationshipFacts(assignments, breakGlass),
      );
      const policy = new PolicyService(loader, purposes, audit);
      await assignments.assign({ subjectKind: 'person', subjectId: PERSON, team: 'housing-options' }, admin);
      audit.clear();
      const ask = (ref: string): AnswerRequest => ({
        principal: caseworker,
        context: { purpose: 'HOUSING_NEED' },
        subject: { personId: PERSON, requestedId: PERSON },
        answer: { ref, inputSources: ['housing'] },
        operation: 'answer.check',
        detail: { check: 'A_CHECK', ruleVersion: 1 },
      });
      // Refused: audited, then thrown as the view's denial (WITHHELD_BY_POLICY, reasons, agreement).
      const refused = await policy
        .decideAnswer(ask('hub.eligibility.freeSchoolMeals'))
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AccessException);
      expect(refused).toMatchObject({
        code: AccessErrorCode.WITHHELD_BY_POLICY,
        message: expect.stringMatching(/^Withheld by policy: .*not released by agreement housing-need v2/),
        details: { reasons: expect.any(Array), agreement: { id: 'housing-need', version: 2 } },
      });
      expect(audit.of('answer.check')).toEqual([
        expect.objectContaining({
          decision: 'deny',
          subjects: { persons: [PERSON] },
          released: [],
          withheld: [{ source: 'hub', field: 'eligibility.freeSchoolMeals' }],
          detail: { check: 'A_CHECK', ruleVersion: 1 },
        }),
      ]);
      // Allowed: nothing recorded until the answer is known, then one event with what it was.
      audit.clear();
      const request = ask('hub.identity.givenName');
      const decision = await policy.decideAnswer(request);
      expect(decision).toMatchObject({ effect: 'allow', agreement: { id: 'housing-need', version: 2 } });
      expect(audit.of('answer.check')).toEqual([]);
      await policy.recordAnswer(request, decision, { result: 'YES' });
      expect(audit.of('answer.check')).toEqual([
        expect.objectContaining({
          decision: 'allow',
          released: [{ source: 'hub', field: 'identity.givenName' }],
          detail: { check: 'A_CHECK', ruleVersion: 1, result: 'YES' },
        }),
      ]);
    });
  });

  it('seeds the demo world once, whatever the number of runs', async () => {
    const seed = new AccessSeedService(ds, agreements, audit);
    const first = await seed.seedDemo();
    expect(first.agreementsCreated).toEqual([
      'council-early-help',
      'nhs-safeguarding',
      'advice-benefits',
      'identity-data-quality',
      'council-tell-us-once',
      'nhs-tell-us-once-deaths',
    ]);
    expect(first.organisationsCreated).toEqual(['nhs-trust', 'advice-charity', 'police']);
    expect(await seed.seedDemo()).toEqual({ organisationsCreated: [], agreementsCreated: [] });
    expect((await agreements.list(AgreementStatus.Active)).map((a) => a.id)).toEqual(
      expect.arrayContaining(['council-early-help', 'nhs-safeguarding', 'advice-benefits', 'identity-data-quality']),
    );
  });
});
