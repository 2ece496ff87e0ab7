import { EligibilityCheck, EligibilityRule } from '../eligibility-rule';
import { AWARD_FIELDS, evaluateAwards } from './awards';

const categories = ['housing-benefit-claim', 'council-tax-reduction-claim'];

/**
 * Free school meals, version 1 (docs/eligibility.md): the pupil is a dependant on a means-tested award the
 * council administers (Housing Benefit or Council Tax Reduction) that is in force today. The council's
 * benefits system holds no Universal Credit earnings or passporting benefit, so this is the local
 * auto-enrolment test, not the Department for Education's national check.
 */
export const freeSchoolMealsRule: EligibilityRule = {
  check: EligibilityCheck.FREE_SCHOOL_MEALS,
  id: 'fsm-means-tested-award',
  version: 1,
  answerRef: 'hub.eligibility.freeSchoolMeals',
  inputs: categories.map((category) => ({ source: 'benefits', category, fields: AWARD_FIELDS })),
  evaluate: (inputs) => evaluateAwards(inputs, { source: 'benefits', categories, roles: ['dependant'] }),
};
