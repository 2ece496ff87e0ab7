import { EligibilityCheck, EligibilityRule } from '../eligibility-rule';
import { councilTaxReductionRule } from './council-tax-reduction.rule';
import { freeSchoolMealsRule } from './free-school-meals.rule';
import { freeSchoolMealsTakeUpRule } from './free-school-meals-take-up.rule';

/** The rule in force for each check. A new version replaces its predecessor here and in docs/eligibility.md. */
export const eligibilityRules: ReadonlyMap<EligibilityCheck, EligibilityRule> = new Map(
  [freeSchoolMealsRule, councilTaxReductionRule, freeSchoolMealsTakeUpRule].map((rule) => [rule.check, rule]),
);
