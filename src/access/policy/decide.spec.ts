import { Principal } from '../../engine/principal';
import {
  A,
  ALL_FIELDS,
  baseFacts,
  F,
  HOUSEHOLD,
  LATER,
  NOW,
  OTHER_PERSON,
  P,
  PAST,
  PERSON,
} from '../../../test/support/policy-fixtures';
import { decide } from './decide';
import { AccessContext, AgreementStatus, ConsentFact, FieldRef, ObjectionFact, PolicyFacts } from './policy.types';

type Facts = (facts: PolicyFacts) => PolicyFacts;

interface Row {
  name: string;
  principal: Principal;
  context: AccessContext;
  released: FieldRef[];
  facts?: Facts;
  subject?: string;
}

const EH: AccessContext = { purpose: 'EARLY_HELP' };
const HN: AccessContext = { purpose: 'HOUSING_NEED' };
const SG: AccessContext = { purpose: 'SAFEGUARDING', caseReference: 'SG-2025-0042' };
const SG_NO_REF: AccessContext = { purpose: 'SAFEGUARDING' };
const BE: AccessContext = { purpose: 'BENEFIT_ELIGIBILITY' };
const TUO: AccessContext = { purpose: 'TELL_US_ONCE' };
const DQ: AccessContext = { purpose: 'DATA_QUALITY' };
const existence = [F.exists, F.team];
const none: FieldRef[] = [];

const withAgreement =
  (id: string, change: Partial<(typeof A)['earlyHelp']>): Facts =>
  (facts) => ({
    ...facts,
    agreements: facts.agreements.map((a) => (a.id === id ? { ...a, ...change } : a)),
  });
const withConsents =
  (...consents: Partial<ConsentFact>[]): Facts =>
  (facts) => ({
    ...facts,
    consents: consents.map((c, i) => ({
      id: `c-${i}`,
      personId: PERSON,
      status: 'given',
      purpose: 'BENEFIT_ELIGIBILITY',
      recipientOrganisation: 'advice-charity',
      validFrom: PAST,
      recordedAt: new Date(PAST.getTime() + i * 1000),
      ...c,
    })) as ConsentFact[],
  });
const withObjection =
  (o: Partial<ObjectionFact>): Facts =>
  (facts) => ({
    ...facts,
    objections: [{ id: 'obj-1', personId: PERSON, kind: 'objection', validFrom: PAST, ...o }],
  });

const rows: Row[] = [
  // Account managers: caseload, purposes, agreements.
  { name: 'AM on caseload, early help', principal: P.amOn, context: EH, released: ALL_FIELDS },
  {
    name: 'AM on caseload, housing need',
    principal: P.amOn,
    context: HN,
    released: [F.exists, F.team, F.name, F.rent],
  },
  { name: 'AM, safeguarding (no agreement for the role)', principal: P.amOn, context: SG, released: none },
  { name: 'AM, benefit eligibility (partners only)', principal: P.amOn, context: BE, released: none },
  { name: 'AM, tell us once (agreement suspended)', principal: P.amOn, context: TUO, released: none },
  { name: 'AM, data quality (stewards only)', principal: P.amOn, context: DQ, released: none },
  { name: 'AM, unknown purpose', principal: P.amOn, context: { purpose: 'MARKETING' }, released: none },
  { name: 'AM, no purpose', principal: P.amOn, context: {}, released: none },
  { name: 'AM off caseload: existence only', principal: P.amOff, context: EH, released: existence },
  { name: 'AM off caseload, housing need: existence only', principal: P.amOff, context: HN, released: existence },
  { name: 'AM whose assignment ended', principal: P.amEnded, context: EH, released: existence },
  {
    name: 'AM on caseload asking about another person',
    principal: P.amOn,
    context: EH,
    released: existence,
    subject: OTHER_PERSON,
  },
  // Caseworkers: team assignment through the household.
  { name: 'CW via household team assignment, early help', principal: P.cwTeam, context: EH, released: ALL_FIELDS },
  {
    name: 'CW via household, housing need',
    principal: P.cwTeam,
    context: HN,
    released: [F.exists, F.team, F.name, F.rent],
  },
  {
    name: 'CW via household, safeguarding with case ref',
    principal: P.cwTeam,
    context: SG,
    released: [F.name, F.dob, F.rent, F.care],
  },
  { name: 'CW, safeguarding without case ref', principal: P.cwTeam, context: SG_NO_REF, released: none },
  { name: 'CW off caseload, early help', principal: P.cwOff, context: EH, released: existence },
  { name: 'CW off caseload, safeguarding', principal: P.cwOff, context: SG, released: none },
  { name: 'CW without a team claim', principal: P.cwNoTeam, context: EH, released: existence },
  {
    name: "CW whose team name is a partner team's that holds the case",
    principal: P.cwSameTeamNameAsPartner,
    context: EH,
    released: existence,
  },
  {
    name: "AM whose subject is a partner user's that holds the case",
    principal: P.amSameSubjectAsPartner,
    context: EH,
    released: existence,
  },
  { name: 'CW, tell us once (agreement expired)', principal: P.cwTeam, context: TUO, released: none },
  {
    name: 'CW after the household membership ended',
    principal: P.cwTeam,
    context: EH,
    released: existence,
    facts: (f) => ({
      ...f,
      households: [{ personId: PERSON, householdId: HOUSEHOLD, from: PAST, to: new Date('2025-05-01T00:00:00Z') }],
    }),
  },
  {
    name: 'CW: household assignment not yet started',
    principal: P.cwTeam,
    context: EH,
    released: existence,
    facts: (f) => ({
      ...f,
      assignments: f.assignments.map((a) => (a.id === 'asg-household' ? { ...a, validFrom: LATER } : a)),
    }),
  },
  // Partner agencies.
  { name: 'NHS, safeguarding with case ref', principal: P.nhs, context: SG, released: [F.name, F.dob, F.rent, F.care] },
  { name: 'NHS, safeguarding without case ref', principal: P.nhs, context: SG_NO_REF, released: none },
  { name: 'NHS, blank case ref', principal: P.nhs, context: { ...SG, caseReference: '  ' }, released: none },
  { name: 'NHS, early help (not a party)', principal: P.nhs, context: EH, released: none },
  { name: 'NHS, benefit eligibility (not a party)', principal: P.nhs, context: BE, released: none },
  {
    name: 'charity with consent: special category withheld',
    principal: P.charity,
    context: BE,
    released: [F.name, F.claim],
  },
  { name: 'charity, safeguarding (not a party)', principal: P.charity, context: SG, released: none },
  { name: 'police (no agreement at all)', principal: P.police, context: SG, released: none },
  // Other roles.
  { name: 'data steward, data quality', principal: P.steward, context: DQ, released: [F.exists, F.name, F.dob] },
  { name: 'data steward, early help', principal: P.steward, context: EH, released: none },
  { name: 'DPO, early help', principal: P.dpo, context: EH, released: none },
  { name: 'DPO, data quality', principal: P.dpo, context: DQ, released: none },
  { name: 'admin, early help', principal: P.admin, context: EH, released: none },
  { name: 'admin, safeguarding', principal: P.admin, context: SG, released: none },
  { name: 'no roles at all', principal: P.noRole, context: EH, released: none },
  { name: 'AM + steward off caseload, early help', principal: P.amSteward, context: EH, released: existence },
  {
    name: 'AM + steward, data quality: no caseload needed',
    principal: P.amSteward,
    context: DQ,
    released: [F.exists, F.name, F.dob],
  },
  // Break-glass.
  {
    name: 'AM off caseload with a valid break-glass grant',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-valid' },
    released: ALL_FIELDS,
  },
  {
    name: 'break-glass expired',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-expired' },
    released: existence,
  },
  {
    name: 'break-glass for another person',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-other-person' },
    released: existence,
  },
  {
    name: 'break-glass for another purpose',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-other-purpose' },
    released: existence,
  },
  {
    name: 'break-glass revoked',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-revoked' },
    released: existence,
  },
  {
    name: "someone else's break-glass grant",
    principal: P.cwOff,
    context: { ...EH, breakGlassId: 'bg-valid' },
    released: existence,
  },
  {
    name: 'unknown break-glass id',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-nope' },
    released: existence,
  },
  {
    name: 'CW own break-glass grant',
    principal: P.cwOff,
    context: { ...EH, breakGlassId: 'bg-dan' },
    released: ALL_FIELDS,
  },
  {
    name: 'break-glass does not lift an objection',
    principal: P.amOff,
    context: { ...EH, breakGlassId: 'bg-valid' },
    released: none,
    facts: withObjection({}),
  },
  {
    name: 'break-glass does not reach past the agreement',
    principal: P.amOff,
    context: { purpose: 'SAFEGUARDING', caseReference: 'x', breakGlassId: 'bg-valid' },
    released: none,
  },
  // Consent (the benefits-advice agreement rests on Art. 6(1)(a)).
  {
    name: 'consent withdrawn',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({}, { status: 'withdrawn' }),
  },
  {
    name: 'consent refused',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ status: 'refused' }),
  },
  { name: 'no consent', principal: P.charity, context: BE, released: none, facts: withConsents() },
  {
    name: 'consent for the benefits source only',
    principal: P.charity,
    context: BE,
    released: [F.claim],
    facts: withConsents({ source: 'benefits' }),
  },
  {
    name: 'consent for another recipient',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ recipientOrganisation: 'nhs-north' }),
  },
  {
    name: 'consent for another purpose',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ purpose: 'EARLY_HELP' }),
  },
  {
    name: 'consent expired',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ validTo: new Date('2025-05-01T00:00:00Z') }),
  },
  {
    name: 'consent not yet in force',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ validFrom: LATER }),
  },
  {
    name: 'consent given again after withdrawal',
    principal: P.charity,
    context: BE,
    released: [F.name, F.claim],
    facts: withConsents({}, { status: 'withdrawn' }, {}),
  },
  {
    name: 'broad withdrawal after a scoped consent',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents(
      { source: 'benefits' },
      { status: 'withdrawn', purpose: undefined, recipientOrganisation: undefined },
    ),
  },
  {
    name: 'consent irrelevant under public task: refused consent does not block',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS,
    facts: withConsents({ status: 'refused', purpose: undefined, recipientOrganisation: undefined }),
  },
  {
    name: 'consent for another person',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withConsents({ personId: OTHER_PERSON }),
  },
  // Objections and restrictions.
  { name: 'objection to everything', principal: P.amOn, context: EH, released: none, facts: withObjection({}) },
  {
    name: 'restriction of the housing source',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS.filter((f) => f !== F.rent),
    facts: withObjection({ kind: 'restriction', source: 'housing' }),
  },
  {
    name: 'objection limited to safeguarding',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS,
    facts: withObjection({ purpose: 'SAFEGUARDING' }),
  },
  {
    name: 'objection to sharing with the NHS',
    principal: P.nhs,
    context: SG,
    released: none,
    facts: withObjection({ recipientOrganisation: 'nhs-north' }),
  },
  {
    name: 'objection to the NHS does not affect council staff',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS,
    facts: withObjection({ recipientOrganisation: 'nhs-north' }),
  },
  {
    name: 'objection lifted',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS,
    facts: withObjection({ liftedAt: new Date('2025-05-01T00:00:00Z') }),
  },
  {
    name: 'objection recorded for the future',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS,
    facts: withObjection({ validFrom: LATER }),
  },
  {
    name: 'objection even where consent was given',
    principal: P.charity,
    context: BE,
    released: none,
    facts: withObjection({ purpose: 'BENEFIT_ELIGIBILITY' }),
  },
  {
    name: 'objection to social care only',
    principal: P.nhs,
    context: SG,
    released: [F.name, F.dob, F.rent],
    facts: withObjection({ source: 'social-care' }),
  },
  // A staff objection waits for the DPO as a restriction of everything in its scope, and applies at once (#15).
  {
    name: 'staff objection awaiting the DPO (a restriction)',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withObjection({ kind: 'restriction' }),
  },
  {
    name: 'staff objection awaiting the DPO stops an NHS safeguarding request',
    principal: P.nhs,
    context: SG,
    released: none,
    facts: withObjection({ kind: 'restriction' }),
  },
  // Agreement lifecycle.
  {
    name: 'agreement suspended',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { status: AgreementStatus.Suspended }),
  },
  {
    name: 'agreement still a draft',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { status: AgreementStatus.Draft }),
  },
  {
    name: 'agreement expired by date',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { validTo: NOW }),
  },
  {
    name: 'agreement not yet in force',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { validFrom: LATER }),
  },
  // The holding teams may name a social care team: special category like social care itself (#15).
  {
    name: 'agreement with no Art. 9 condition',
    principal: P.amOn,
    context: EH,
    released: ALL_FIELDS.filter((f) => f !== F.care && f !== F.team),
    facts: withAgreement('dsa-early-help', { specialCategoryCondition: undefined }),
  },
  {
    name: 'agreement dropped the AM role',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { roles: [] }),
  },
  {
    name: 'agreement releases nothing for the purpose',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: withAgreement('dsa-early-help', { releases: {} }),
  },
  {
    name: 'purpose withdrawn from the catalogue',
    principal: P.amOn,
    context: EH,
    released: none,
    facts: (f) => ({ ...f, purposes: f.purposes.filter((p) => p !== 'EARLY_HELP') }),
  },
];

const cases = rows.flatMap((row) =>
  ALL_FIELDS.map((field) => ({ ...row, field, expected: row.released.includes(field) ? 'released' : 'withheld' })),
);

describe('decide: authorisation matrix', () => {
  it('has at least 200 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(cases.map((c) => [`${c.name} → ${c.field} ${c.expected}`, c] as const))('%s', (_label, c) => {
    const facts = (c.facts ?? ((f) => f))(baseFacts());
    const decision = decide(c.principal, c.context, { personId: c.subject ?? PERSON }, ALL_FIELDS, facts);
    const released = decision.released.includes(c.field);
    const withheld = decision.withheld.some((w) => w.field === c.field && w.reason.length > 0);
    expect(released && withheld).toBe(false);
    expect(released ? 'released' : withheld ? 'withheld' : 'unaccounted').toBe(c.expected);
    const effect =
      c.released.length === ALL_FIELDS.length ? 'allow' : c.released.length === 0 ? 'deny' : 'allow-with-redactions';
    expect(decision.effect).toBe(effect);
  });
});

describe('decide: what a decision says', () => {
  const facts = baseFacts();

  it('names the agreement version, basis and relationship that justified a release', () => {
    const decision = decide(P.amOn, EH, { personId: PERSON }, [F.name, F.care], facts);
    expect(decision).toMatchObject({
      effect: 'allow',
      agreement: { id: 'dsa-early-help', version: 1 },
      basis: 'UK GDPR Art. 6(1)(e) public task; UK GDPR Art. 9(2)(g) with DPA 2018 Sch. 1 para 18',
      relationshipId: 'asg-alice',
    });
    expect(decision.breakGlassId).toBeUndefined();
  });

  it('judges a household case by the membership at relationshipAt when given (an alert), the case itself now', () => {
    const ended = new Date('2025-05-01T00:00:00Z');
    const left = { ...facts, households: [{ personId: PERSON, householdId: HOUSEHOLD, from: PAST, to: ended }] };
    const before = new Date(ended.getTime() - 1);
    expect(decide(P.cwTeam, EH, { personId: PERSON }, [F.name], left).effect).toBe('deny');
    expect(decide(P.cwTeam, EH, { personId: PERSON, relationshipAt: before }, [F.name], left)).toMatchObject({
      effect: 'allow',
      relationshipId: 'asg-household',
    });
    expect(decide(P.cwTeam, EH, { personId: PERSON, relationshipAt: ended }, [F.name], left).effect).toBe('deny');
    // The household's case must still be held now.
    const closed = {
      ...left,
      assignments: left.assignments.map((a) => (a.id === 'asg-household' ? { ...a, validTo: before } : a)),
    };
    expect(decide(P.cwTeam, EH, { personId: PERSON, relationshipAt: before }, [F.name], closed).effect).toBe('deny');
  });

  it('leaves the Art. 9 condition out of the basis when no special-category field is released', () => {
    expect(decide(P.amOn, EH, { personId: PERSON }, [F.name], facts).basis).toBe('UK GDPR Art. 6(1)(e) public task');
  });

  it('uses the current version of an agreement, not the superseded one', () => {
    const decision = decide(P.nhs, SG, { personId: PERSON }, [F.dob], facts);
    expect(decision.agreement).toEqual({ id: 'dsa-nhs-safeguarding', version: 2 });
    expect(decision.reasons.join('\n')).toContain('dsa-nhs-safeguarding v1 is superseded');
  });

  it('names the consent relied on', () => {
    const decision = decide(P.charity, BE, { personId: PERSON }, [F.claim], facts);
    expect(decision).toMatchObject({ effect: 'allow', consentId: 'consent-1', basis: 'UK GDPR Art. 6(1)(a) consent' });
  });

  it('names the break-glass grant relied on', () => {
    const decision = decide(P.amOff, { ...EH, breakGlassId: 'bg-valid' }, { personId: PERSON }, [F.name], facts);
    expect(decision).toMatchObject({ effect: 'allow', breakGlassId: 'bg-valid' });
    expect(decision.relationshipId).toBeUndefined();
  });

  it('explains each withheld field', () => {
    const decision = decide(P.amOff, EH, { personId: PERSON }, [F.exists, F.name], facts);
    expect(decision.withheld).toEqual([
      { field: F.name, reason: expect.stringContaining('no legitimate relationship'), about: 'person' },
    ]);
    expect(decision.reasons).toEqual(
      expect.arrayContaining([expect.stringContaining('is not on the caseload of am-bob')]),
    );
  });

  it('says why a missing or unknown purpose is refused', () => {
    expect(decide(P.amOn, {}, { personId: PERSON }, [F.name], facts).reasons).toEqual([
      'no purpose was given (x-purpose)',
    ]);
    expect(decide(P.amOn, { purpose: 'X' }, { personId: PERSON }, [F.name], facts).reasons).toEqual([
      'purpose X is not in the purposes catalogue',
    ]);
  });

  it('says a case reference is required', () => {
    const decision = decide(P.nhs, SG_NO_REF, { personId: PERSON }, [F.name], facts);
    expect(decision.effect).toBe('deny');
    expect(decision.withheld[0].reason).toMatch(/requires a case reference/);
  });

  it('refuses malformed field names rather than guessing', () => {
    const decision = decide(P.amOn, EH, { personId: PERSON }, ['housing.rentArrears', F.name], facts);
    expect(decision.effect).toBe('allow-with-redactions');
    expect(decision.withheld).toEqual([
      { field: 'housing.rentArrears', reason: expect.stringContaining('not a field reference'), about: 'request' },
    ]);
  });

  it('treats a catalogued special category as special even outside social care', () => {
    const decision = decide(P.amOn, EH, { personId: PERSON }, [F.claim], {
      ...facts,
      specialCategories: ['benefits.claim'],
      agreements: facts.agreements.map((a) =>
        a.id === 'dsa-early-help' ? { ...a, specialCategoryCondition: undefined } : a,
      ),
    });
    expect(decision.effect).toBe('deny');
    expect(decision.withheld[0].reason).toMatch(/Art\. 9/);
  });

  it('is pure: the same inputs give the same decision and the facts are not changed', () => {
    const before = JSON.stringify(facts);
    const first = decide(P.cwTeam, SG, { personId: PERSON }, ALL_FIELDS, facts);
    expect(decide(P.cwTeam, SG, { personId: PERSON }, ALL_FIELDS, facts)).toEqual(first);
    expect(JSON.stringify(facts)).toBe(before);
  });
});

/**
 * Facts derived from the sources (#15): a social care record key, a social care team's name, a flag that
 * counts social care are special category. Each row names the derived fields released and, where one is,
 * whether what is derived from social care (and, where catalogued, benefits) goes with it.
 */
describe('decide: facts derived from special-category sources', () => {
  const D = {
    team: 'hub.caseload.team',
    records: 'hub.index.sourceRecords',
    provenance: 'hub.index.provenance',
    explanation: 'hub.index.matchExplanation',
    multi: 'hub.household.multipleServicesInvolved',
  } as const;
  const DERIVED = Object.values(D);
  const known = (source: string) => `${source}.involvement.known`;
  const index = [D.records, D.provenance, D.explanation];
  const condition = { article9: 'g', schedule1Paragraph: 18 };

  // The council's agreement lists social care involvement for early help, not for housing need.
  const councilWorld: Facts = withAgreement('dsa-early-help', {
    releases: {
      EARLY_HELP: [...ALL_FIELDS, ...DERIVED, known('social-care')],
      HOUSING_NEED: [F.exists, F.team, F.name, F.rent, D.multi],
    },
  });
  const stewardWorld = (change: Partial<(typeof A)['dataQuality']>): Facts =>
    withAgreement('dsa-data-quality', {
      specialCategoryCondition: condition,
      releases: { DATA_QUALITY: [F.exists, F.name, ...index, known('social-care')] },
      ...change,
    });
  const then =
    (...changes: Facts[]): Facts =>
    (facts) =>
      changes.reduce((f, change) => change(f), facts);

  interface DerivedRow {
    name: string;
    principal: Principal;
    context: AccessContext;
    facts: Facts;
    released: string[];
    /** Special sources whose derived entries go with the released derived fields; absent when none is released. */
    sources?: Record<string, boolean>;
    art9: boolean;
  }
  const derivedRows: DerivedRow[] = [
    {
      name: 'AM on caseload, early help (involvement listed)',
      principal: P.amOn,
      context: EH,
      facts: councilWorld,
      released: DERIVED,
      sources: { 'social-care': true },
      art9: true,
    },
    {
      name: 'AM on caseload, housing need (social care excluded)',
      principal: P.amOn,
      context: HN,
      facts: councilWorld,
      released: [D.team],
      sources: { 'social-care': false },
      art9: false,
    },
    {
      name: 'AM off caseload, early help: teams without social care',
      principal: P.amOff,
      context: EH,
      facts: councilWorld,
      released: [D.team],
      sources: { 'social-care': false },
      art9: false,
    },
    {
      name: 'AM off caseload with break-glass',
      principal: P.amOff,
      context: { ...EH, breakGlassId: 'bg-valid' },
      facts: councilWorld,
      released: DERIVED,
      sources: { 'social-care': true },
      art9: true,
    },
    {
      name: 'AM on caseload, objection to the social care source',
      principal: P.amOn,
      context: EH,
      facts: then(councilWorld, withObjection({ source: 'social-care' })),
      released: [D.team, ...index],
      sources: { 'social-care': false },
      art9: false,
    },
    {
      name: 'AM on caseload, agreement without an Art. 9 condition (saved before the rule)',
      principal: P.amOn,
      context: EH,
      facts: then(councilWorld, withAgreement('dsa-early-help', { specialCategoryCondition: undefined })),
      released: [],
      art9: false,
    },
    {
      name: 'steward, data quality, no Art. 9 condition (saved before the rule)',
      principal: P.steward,
      context: DQ,
      facts: stewardWorld({ specialCategoryCondition: undefined }),
      released: [],
      art9: false,
    },
    {
      name: 'steward, data quality, Art. 9 condition and social care involvement',
      principal: P.steward,
      context: DQ,
      facts: stewardWorld({}),
      released: index,
      sources: { 'social-care': true },
      art9: true,
    },
    {
      name: 'steward, data quality, Art. 9 condition without social care involvement',
      principal: P.steward,
      context: DQ,
      facts: stewardWorld({ releases: { DATA_QUALITY: [F.exists, F.name, ...index] } }),
      released: index,
      sources: { 'social-care': false },
      art9: false,
    },
    {
      name: 'a catalogued special category beyond social care (benefits)',
      principal: P.amOn,
      context: EH,
      facts: then(councilWorld, (f) => ({ ...f, specialCategories: ['social-care', 'benefits.medical'] })),
      released: [D.team, ...index],
      sources: { benefits: false, 'social-care': true },
      art9: true,
    },
    {
      name: 'charity on consent for hub and benefits data only: no social care team',
      principal: P.charity,
      context: BE,
      facts: then(
        withAgreement('dsa-benefits-advice', {
          specialCategoryCondition: condition,
          releases: { BENEFIT_ELIGIBILITY: [F.name, D.team, known('social-care')] },
        }),
        withConsents({ source: 'hub' }, { source: 'benefits' }),
      ),
      released: [D.team],
      sources: { 'social-care': false },
      art9: false,
    },
    {
      name: 'NHS, safeguarding: derived fields not listed',
      principal: P.nhs,
      context: SG,
      facts: (f) => f,
      released: [],
      art9: false,
    },
  ];

  const derivedCases = derivedRows.flatMap((row) =>
    DERIVED.map((field) => ({ ...row, field, expected: row.released.includes(field) ? 'released' : 'withheld' })),
  );

  it.each(derivedCases.map((c) => [`${c.name} → ${c.field} ${c.expected}`, c] as const))('%s', (_label, c) => {
    const decision = decide(c.principal, c.context, { personId: PERSON }, DERIVED, c.facts(baseFacts()));
    expect(
      decision.released.includes(c.field)
        ? 'released'
        : decision.withheld.some((w) => w.field === c.field && w.reason)
          ? 'withheld'
          : 'unaccounted',
    ).toBe(c.expected);
  });

  it.each(derivedRows.map((row) => [row.name, row] as const))(
    '%s: which special sources go with the derived fields, and the basis',
    (_label, row) => {
      const decision = decide(row.principal, row.context, { personId: PERSON }, DERIVED, row.facts(baseFacts()));
      const sources =
        decision.derivedSources && Object.fromEntries(decision.derivedSources.map((d) => [d.source, d.released]));
      expect(sources).toEqual(row.sources);
      const unexplained = (decision.derivedSources ?? []).filter(
        (d) => !d.released && !d.reason?.startsWith(`${d.source}.involvement.known: `),
      );
      expect(unexplained).toEqual([]);
      expect(/Art\. 9/.test(decision.basis ?? '')).toBe(row.art9);
    },
  );

  it('withholds a flag over every source, and says so, when one special source may not go', () => {
    const decision = decide(P.amOn, HN, { personId: PERSON }, [D.multi], councilWorld(baseFacts()));
    expect(decision.withheld).toEqual([
      {
        field: D.multi,
        reason: `derived from social-care, special category: social-care.involvement.known: not released by agreement dsa-early-help v1 for HOUSING_NEED`,
        about: 'request',
      },
    ]);
  });

  it('records in its reasons what was left out of a released derived field', () => {
    const decision = decide(P.amOff, EH, { personId: PERSON }, [D.team], councilWorld(baseFacts()));
    expect(decision.reasons).toContain(
      'hub.caseload.team: what is derived from social-care is left out: social-care.involvement.known: no legitimate relationship: the person is not on your caseload and no valid break-glass grant was given',
    );
  });

  it('says whether each withheld reason is about the request or about the person', () => {
    const objection = decide(
      P.amOn,
      EH,
      { personId: PERSON },
      [F.name, 'hub.identity.postcode'],
      withObjection({})(baseFacts()),
    );
    expect(objection.withheld.map((w) => w.about)).toEqual(['person', 'request']);
    const noPurpose = decide(P.amOn, {}, { personId: PERSON }, [F.name], baseFacts());
    expect(noPurpose.withheld.map((w) => w.about)).toEqual(['request']);
  });
});
