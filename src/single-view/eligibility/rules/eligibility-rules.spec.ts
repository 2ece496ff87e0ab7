import type { ServiceRecord } from '../../../sources/source-adapter';
import { EligibilityCheck, londonDay, RuleInputs, SourceInput } from '../eligibility-rule';
import { awardState } from './awards';
import { councilTaxReductionRule } from './council-tax-reduction.rule';
import { freeSchoolMealsRule } from './free-school-meals.rule';
import { freeSchoolMealsTakeUpRule } from './free-school-meals-take-up.rule';
import { eligibilityRules } from './index';

const TODAY = '2025-11-01';

const claim = (category: string, fields: Record<string, unknown>): ServiceRecord => ({
  category,
  recordId: `40000001/${category === 'housing-benefit-claim' ? 'HB' : 'CTR'}`,
  fields: {
    claimRef: '40000001',
    role: 'claimant',
    status: 'live',
    awardStartDate: '2024-04-01',
    awardEndDate: null,
    weeklyAmount: 12.5,
    ...fields,
  },
});
const ctr = (fields: Record<string, unknown> = {}) => claim('council-tax-reduction-claim', fields);
const hb = (fields: Record<string, unknown> = {}) => claim('housing-benefit-claim', fields);
const inputs = (benefits: SourceInput | undefined, today = TODAY): RuleInputs => ({
  sources: new Map(benefits ? [['benefits', benefits]] : []),
  today,
});
const records = (...list: ServiceRecord[]): SourceInput => ({ status: 'available', records: list });

describe('award in force', () => {
  it.each([
    ['live, open-ended', {}, 'in-force'],
    ['live, ends today', { awardEndDate: TODAY }, 'in-force'],
    ['live, starts today', { awardStartDate: TODAY }, 'in-force'],
    ['live, ended yesterday', { awardEndDate: '2025-10-31' }, 'not-in-force'],
    ['live, starts tomorrow', { awardStartDate: '2025-11-02' }, 'not-in-force'],
    ['suspended', { status: 'suspended' }, 'not-in-force'],
    ['ended, dates missing', { status: 'ended', awardStartDate: null }, 'not-in-force'],
    ['nil award', { weeklyAmount: 0 }, 'not-in-force'],
    ['amount not recorded', { weeklyAmount: null }, 'in-force'],
    ['status in capitals', { status: 'LIVE' }, 'in-force'],
  ])('%s', (_name, fields, kind) => {
    expect(awardState(ctr(fields).fields, TODAY).kind).toBe(kind);
  });

  it('names what is missing or unreadable, never a value', () => {
    expect(
      awardState(ctr({ status: undefined, awardStartDate: '31/02/2024', awardEndDate: 'soon' }).fields, TODAY),
    ).toEqual({
      kind: 'incomplete',
      fields: ['status', 'awardStartDate', 'awardEndDate'],
    });
  });
});

describe('council tax reduction, version 1', () => {
  const evaluate = (input: SourceInput | undefined, today?: string) =>
    councilTaxReductionRule.evaluate(inputs(input, today));

  it('is YES for the claimant or partner on a CTR award in force', () => {
    expect(evaluate(records(ctr()))).toEqual({ result: 'YES', gaps: [] });
    expect(evaluate(records(ctr({ role: 'partner' }))).result).toBe('YES');
  });

  it('is NO for a dependant or non-dependant, an ended or suspended award, or no claim at all', () => {
    expect(evaluate(records(ctr({ role: 'dependant' }))).result).toBe('NO');
    expect(evaluate(records(ctr({ role: 'non-dependant' }))).result).toBe('NO');
    expect(evaluate(records(ctr({ status: 'ended', awardEndDate: '2025-03-31' }))).result).toBe('NO');
    expect(evaluate(records(ctr({ status: 'suspended' }))).result).toBe('NO');
    expect(evaluate(records())).toEqual({ result: 'NO', gaps: [] });
  });

  it('ignores Housing Benefit: only a CTR award counts', () => {
    expect(evaluate(records(hb())).result).toBe('NO');
  });

  it('follows the day: an award ending today is in force today and not tomorrow', () => {
    expect(evaluate(records(ctr({ awardEndDate: TODAY })), TODAY).result).toBe('YES');
    expect(evaluate(records(ctr({ awardEndDate: TODAY })), '2025-11-02').result).toBe('NO');
  });

  it('is UNKNOWN, naming the source, when benefits did not answer or is not configured', () => {
    expect(evaluate({ status: 'unavailable' })).toEqual({
      result: 'UNKNOWN',
      gaps: [{ source: 'benefits', reason: 'SOURCE_UNAVAILABLE', fields: [] }],
    });
    expect(evaluate(undefined)).toEqual({
      result: 'UNKNOWN',
      gaps: [{ source: 'benefits', reason: 'SOURCE_NOT_CONFIGURED', fields: [] }],
    });
  });

  it('is UNKNOWN, naming the missing fields, when a record that could count lacks its dates or role', () => {
    expect(evaluate(records(ctr({ awardStartDate: null })))).toEqual({
      result: 'UNKNOWN',
      gaps: [{ source: 'benefits', reason: 'DATA_INCOMPLETE', fields: ['awardStartDate'] }],
    });
    expect(evaluate(records(ctr({ role: null }))).gaps[0].fields).toEqual(['role']);
  });

  it('is YES when one award is in force even if another record is incomplete', () => {
    expect(evaluate(records(ctr({ awardStartDate: null }), ctr({ role: 'partner' }))).result).toBe('YES');
  });

  it('is NO, not UNKNOWN, when the incomplete record could not count anyway', () => {
    expect(evaluate(records(ctr({ role: 'dependant', awardStartDate: null }))).result).toBe('NO');
    expect(evaluate(records(ctr({ status: 'ended', awardStartDate: null }))).result).toBe('NO');
  });
});

describe('free school meals, version 1', () => {
  const evaluate = (input: SourceInput | undefined) => freeSchoolMealsRule.evaluate(inputs(input));

  it('is YES for a dependant on a Housing Benefit or CTR award in force', () => {
    expect(evaluate(records(ctr({ role: 'dependant' })))).toEqual({ result: 'YES', gaps: [] });
    expect(
      evaluate(
        records(hb({ role: 'dependant' }), ctr({ role: 'dependant', status: 'ended', awardEndDate: '2024-01-01' })),
      ).result,
    ).toBe('YES');
  });

  it('is NO for the claimant, a non-dependant, or a dependant on an ended claim', () => {
    expect(evaluate(records(ctr({ role: 'claimant' }))).result).toBe('NO');
    expect(evaluate(records(ctr({ role: 'non-dependant' }))).result).toBe('NO');
    expect(evaluate(records(ctr({ role: 'dependant', status: 'ended', awardEndDate: '2025-01-31' }))).result).toBe(
      'NO',
    );
  });

  it('is UNKNOWN when benefits is unavailable or the dependant’s award dates are missing', () => {
    expect(evaluate({ status: 'unavailable' }).result).toBe('UNKNOWN');
    expect(evaluate(records(hb({ role: 'dependant', status: undefined }))).gaps).toEqual([
      { source: 'benefits', reason: 'DATA_INCOMPLETE', fields: ['status'] },
    ]);
  });
});

describe('the rule catalogue', () => {
  it('has one versioned rule per check, each released by its own hub.eligibility field and reading only declared fields', () => {
    for (const check of Object.values(EligibilityCheck)) {
      const rule = eligibilityRules.get(check)!;
      expect(rule.version).toBeGreaterThanOrEqual(1);
      expect(rule.answerRef).toMatch(/^hub\.eligibility\.[a-z][a-zA-Z]+$/);
      expect(rule.inputs.length).toBeGreaterThan(0);
    }
    const refs = [...eligibilityRules.values()].map((r) => r.answerRef);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('evaluates on the London calendar day', () => {
    expect(londonDay(new Date('2025-06-30T23:30:00Z'))).toBe('2025-07-01');
    expect(londonDay(new Date('2025-12-31T23:30:00Z'))).toBe('2025-12-31');
  });
});

describe('free school meals take-up, version 1', () => {
  const meals = (fields: Record<string, unknown>): ServiceRecord => ({
    category: 'free-school-meals',
    recordId: 'A826000000007',
    fields: { eligible: true, eligibleFrom: '2024-09-01', takingMeals: true, ...fields },
  });
  const evaluate = (education: SourceInput | undefined, benefits: SourceInput | undefined = records()) =>
    freeSchoolMealsTakeUpRule.evaluate({
      sources: new Map([
        ...(education ? [['education', education] as const] : []),
        ...(benefits ? [['benefits', benefits] as const] : []),
      ]),
      today: TODAY,
    });

  it('is YES for a pupil the school records eligible and not taking the meals', () => {
    expect(evaluate(records(meals({ takingMeals: false })))).toEqual({ result: 'YES', gaps: [] });
  });

  it('is YES for a pupil not registered at school whose family has an award in force (entitled, never claimed)', () => {
    expect(
      evaluate(records(meals({ eligible: false, takingMeals: null })), records(ctr({ role: 'dependant' }))),
    ).toEqual({
      result: 'YES',
      gaps: [],
    });
  });

  it('is NO for a pupil taking the meals, one not entitled, or a child the schools do not hold', () => {
    expect(evaluate(records(meals({}))).result).toBe('NO');
    expect(
      evaluate(records(meals({ eligible: false, takingMeals: null })), records(ctr({ role: 'claimant' }))).result,
    ).toBe('NO');
    expect(evaluate(records(), records(ctr({ role: 'dependant' }))).result).toBe('NO');
  });

  it('is UNKNOWN, naming the source and fields, when education did not answer or the record is incomplete', () => {
    expect(evaluate({ status: 'unavailable' })).toEqual({
      result: 'UNKNOWN',
      gaps: [{ source: 'education', reason: 'SOURCE_UNAVAILABLE', fields: [] }],
    });
    expect(evaluate(undefined).gaps).toEqual([{ source: 'education', reason: 'SOURCE_NOT_CONFIGURED', fields: [] }]);
    expect(evaluate(records(meals({ takingMeals: null }))).gaps).toEqual([
      { source: 'education', reason: 'DATA_INCOMPLETE', fields: ['takingMeals'] },
    ]);
    expect(evaluate(records(meals({ eligible: false, takingMeals: null })), { status: 'unavailable' }).gaps).toEqual([
      { source: 'benefits', reason: 'SOURCE_UNAVAILABLE', fields: [] },
    ]);
  });

  it('reads only the eligibility and take-up of the education extract, never special educational needs', () => {
    expect(freeSchoolMealsTakeUpRule.inputs.filter((i) => i.source === 'education')).toEqual([
      { source: 'education', category: 'free-school-meals', fields: ['eligible', 'takingMeals'] },
    ]);
  });
});
