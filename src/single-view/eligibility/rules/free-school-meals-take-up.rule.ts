import { EligibilityCheck, EligibilityRule, Evaluation, RuleInputs } from '../eligibility-rule';
import { AWARD_FIELDS, evaluateAwards } from './awards';

const awardCategories = ['housing-benefit-claim', 'council-tax-reduction-claim'];
/** The schools' pupil extract: Free School Meals eligibility and take-up (not special category). */
const education = { source: 'education', category: 'free-school-meals' } as const;

/**
 * Free School Meals take-up, version 1 (docs/eligibility.md): YES for a pupil entitled to free school meals
 * who is not taking them. The pupil is on the schools' extract with a free-school-meals record, and either
 * the school records them eligible and not taking the meals, or the school does not record them eligible
 * while the benefits system shows them a dependant on a means-tested award in force (entitled, never
 * registered). NO for a pupil taking the meals, one not entitled, or a child the schools' extract does not
 * hold.
 */
export const freeSchoolMealsTakeUpRule: EligibilityRule = {
  check: EligibilityCheck.FREE_SCHOOL_MEALS_TAKE_UP,
  id: 'fsm-take-up-gap',
  version: 1,
  answerRef: 'hub.eligibility.freeSchoolMealsTakeUp',
  inputs: [
    { ...education, fields: ['eligible', 'takingMeals'] },
    ...awardCategories.map((category) => ({ source: 'benefits', category, fields: AWARD_FIELDS })),
  ],
  evaluate: evaluateTakeUp,
};

function evaluateTakeUp(inputs: RuleInputs): Evaluation {
  const input = inputs.sources.get(education.source) ?? { status: 'not-configured' as const };
  if (input.status !== 'available') {
    const reason = input.status === 'unavailable' ? 'SOURCE_UNAVAILABLE' : 'SOURCE_NOT_CONFIGURED';
    return { result: 'UNKNOWN', gaps: [{ source: education.source, reason, fields: [] }] };
  }
  const meals = input.records.filter((r) => r.category === education.category);
  if (meals.length === 0) return { result: 'NO', gaps: [] };
  const missing = new Set<string>();
  let registered = false;
  for (const { fields } of meals) {
    if (fields.eligible === true) {
      registered = true;
      if (fields.takingMeals === false) return { result: 'YES', gaps: [] };
      if (typeof fields.takingMeals !== 'boolean') missing.add('takingMeals');
    } else if (fields.eligible !== false) missing.add('eligible');
  }
  if (missing.size > 0)
    return {
      result: 'UNKNOWN',
      gaps: [{ source: education.source, reason: 'DATA_INCOMPLETE', fields: [...missing].sort() }],
    };
  // Registered and taking the meals: nothing to take up.
  if (registered) return { result: 'NO', gaps: [] };
  // Not registered at school: entitled when a dependant on a means-tested award in force.
  return evaluateAwards(inputs, { source: 'benefits', categories: awardCategories, roles: ['dependant'] });
}
