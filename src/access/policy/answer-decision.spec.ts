import { Principal, Role } from '../../engine/principal';
import { decideAnswer, DerivedAnswer } from './answer-decision';
import { AgreementFact, AgreementStatus, ConsentFact, LawfulBasis, ObjectionFact, PolicyFacts } from './policy.types';

const NOW = new Date('2025-06-01T12:00:00Z');
const PAST = new Date('2025-01-01T00:00:00Z');
const PERSON = '0b6f7d2e-1c1a-4a55-9d2b-0f3c1b2a0001';
const FSM: DerivedAnswer = { ref: 'hub.eligibility.freeSchoolMeals', inputSources: ['benefits'] };
const school: Principal = { subject: 'client-school', organisation: 'school', roles: [Role.PartnerAgency] };
const charity: Principal = { subject: 'client-advice', organisation: 'advice-charity', roles: [Role.PartnerAgency] };
const am: Principal = {
  subject: 'am-alice',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const BE = { purpose: 'BENEFIT_ELIGIBILITY' };

const agreement = (
  partial: Partial<AgreementFact> & Pick<AgreementFact, 'id' | 'parties' | 'roles' | 'releases'>,
): AgreementFact => ({
  version: 1,
  title: partial.id,
  purposes: ['BENEFIT_ELIGIBILITY'],
  lawfulBasis: LawfulBasis.PublicTask,
  caseReferenceRequired: false,
  validFrom: PAST,
  status: AgreementStatus.Active,
  ...partial,
});

const schoolAnswers = agreement({
  id: 'school-fsm',
  parties: ['council', 'school'],
  roles: [Role.PartnerAgency],
  releases: { BENEFIT_ELIGIBILITY: ['hub.eligibility.freeSchoolMeals'] },
});
const charityOnConsent = agreement({
  id: 'advice-answers',
  parties: ['council', 'advice-charity'],
  roles: [Role.PartnerAgency],
  lawfulBasis: LawfulBasis.Consent,
  releases: { BENEFIT_ELIGIBILITY: ['hub.eligibility.freeSchoolMeals'] },
});
const councilStaff = agreement({
  id: 'council-answers',
  parties: ['council'],
  roles: [Role.AccountManager],
  releases: { BENEFIT_ELIGIBILITY: ['hub.eligibility.freeSchoolMeals'] },
});

const facts = (change: Partial<PolicyFacts> = {}): PolicyFacts => ({
  now: NOW,
  purposes: ['BENEFIT_ELIGIBILITY', 'SAFEGUARDING'],
  specialCategories: [],
  agreements: [schoolAnswers, charityOnConsent, councilStaff],
  consents: [],
  objections: [],
  assignments: [],
  breakGlassGrants: [],
  households: [],
  ...change,
});
const objection = (o: Partial<ObjectionFact>): ObjectionFact => ({
  id: 'obj-1',
  personId: PERSON,
  kind: 'objection',
  validFrom: PAST,
  ...o,
});
const consent = (c: Partial<ConsentFact>): ConsentFact => ({
  id: 'c-1',
  personId: PERSON,
  status: 'given',
  validFrom: PAST,
  recordedAt: PAST,
  ...c,
});

describe('decideAnswer (answers only)', () => {
  it('releases the answer under an agreement that lists it, naming the agreement and basis', () => {
    const decision = decideAnswer(school, BE, { personId: PERSON }, FSM, facts());
    expect(decision).toMatchObject({
      effect: 'allow',
      released: ['hub.eligibility.freeSchoolMeals'],
      agreement: { id: 'school-fsm', version: 1 },
      basis: 'UK GDPR Art. 6(1)(e) public task',
    });
  });

  it('refuses an answer the agreement does not list, and a purpose it does not permit', () => {
    const ctr = { ref: 'hub.eligibility.councilTaxReduction', inputSources: ['benefits'] };
    expect(decideAnswer(school, BE, { personId: PERSON }, ctr, facts())).toMatchObject({
      effect: 'deny',
      released: [],
    });
    expect(decideAnswer(school, { purpose: 'SAFEGUARDING' }, { personId: PERSON }, FSM, facts()).effect).toBe('deny');
  });

  it('refuses without an agreement, whatever fields other agreements release', () => {
    const nhs: Principal = { subject: 'nhs', organisation: 'nhs-trust', roles: [Role.PartnerAgency] };
    expect(decideAnswer(nhs, BE, { personId: PERSON }, FSM, facts()).effect).toBe('deny');
  });

  it('is stopped by an objection covering an input source, though the answer is a hub field', () => {
    const decision = decideAnswer(
      school,
      BE,
      { personId: PERSON },
      FSM,
      facts({ objections: [objection({ source: 'benefits' })] }),
    );
    expect(decision.effect).toBe('deny');
    expect(decision.withheld[0].reason).toMatch(/derived from benefits data: objection .* obj-1/);
  });

  it('ignores an objection scoped to another source or another recipient, and a lifted one', () => {
    for (const o of [
      objection({ source: 'housing' }),
      objection({ recipientOrganisation: 'police' }),
      objection({ liftedAt: PAST }),
    ]) {
      expect(decideAnswer(school, BE, { personId: PERSON }, FSM, facts({ objections: [o] })).effect).toBe('allow');
    }
  });

  it('needs consent covering the answer and each input source when the agreement rests on consent', () => {
    const hubOnly = consent({ source: 'hub' });
    expect(
      decideAnswer(charity, BE, { personId: PERSON }, FSM, facts({ consents: [hubOnly] })).withheld[0]?.reason,
    ).toMatch(/consent and none is recorded for this source/);
    const benefitsOnly = consent({ source: 'benefits' });
    expect(decideAnswer(charity, BE, { personId: PERSON }, FSM, facts({ consents: [benefitsOnly] })).effect).toBe(
      'deny',
    );
    const both = decideAnswer(charity, BE, { personId: PERSON }, FSM, facts({ consents: [consent({})] }));
    expect(both).toMatchObject({ effect: 'allow', consentId: 'c-1', basis: 'UK GDPR Art. 6(1)(a) consent' });
  });

  it('honours a later withdrawal of consent for an input source', () => {
    const consents = [
      consent({}),
      consent({ id: 'c-2', source: 'benefits', status: 'withdrawn', recordedAt: new Date(PAST.getTime() + 1000) }),
    ];
    const decision = decideAnswer(charity, BE, { personId: PERSON }, FSM, facts({ consents }));
    expect(decision.effect).toBe('deny');
    expect(decision.withheld[0].reason).toMatch(/consent withdrawn \(c-2\)/);
  });

  it('refuses an answer drawn from special-category data unless the agreement names an Art. 9 condition', () => {
    const fromCare = { ref: 'hub.eligibility.freeSchoolMeals', inputSources: ['benefits', 'social-care'] };
    expect(decideAnswer(school, BE, { personId: PERSON }, fromCare, facts()).withheld[0].reason).toMatch(
      /special category/,
    );
    const withCondition = facts({
      agreements: [{ ...schoolAnswers, specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 } }],
    });
    expect(decideAnswer(school, BE, { personId: PERSON }, fromCare, withCondition)).toMatchObject({
      effect: 'allow',
      basis: 'UK GDPR Art. 6(1)(e) public task; UK GDPR Art. 9(2)(g) with DPA 2018 Sch. 1 para 18',
    });
  });

  it('keeps the caseload rule for staff: an answer about someone off the caseload is refused', () => {
    expect(decideAnswer(am, BE, { personId: PERSON }, FSM, facts()).effect).toBe('deny');
    const assigned = facts({
      assignments: [
        {
          id: 'ca-1',
          subjectKind: 'person',
          subjectId: PERSON,
          organisation: 'council',
          team: 'early-help-north',
          validFrom: PAST,
        },
      ],
    });
    expect(decideAnswer(am, BE, { personId: PERSON }, FSM, assigned)).toMatchObject({
      effect: 'allow',
      relationshipId: 'ca-1',
    });
  });
});
