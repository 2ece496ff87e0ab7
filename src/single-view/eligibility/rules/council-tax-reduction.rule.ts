import { EligibilityCheck, EligibilityRule } from '../eligibility-rule';
import { AWARD_FIELDS, evaluateAwards } from './awards';

/**
 * Council Tax Reduction, version 1 (docs/eligibility.md): the person is the claimant or the partner on a
 * Council Tax Reduction award that is in force today (live, started, not ended, not nil). Dependants and
 * non-dependants on the claim are not themselves in receipt.
 */
export const councilTaxReductionRule: EligibilityRule = {
  check: EligibilityCheck.COUNCIL_TAX_REDUCTION,
  id: 'ctr-active-award',
  version: 1,
  answerRef: 'hub.eligibility.councilTaxReduction',
  inputs: [{ source: 'benefits', category: 'council-tax-reduction-claim', fields: AWARD_FIELDS }],
  evaluate: (inputs) =>
    evaluateAwards(inputs, {
      source: 'benefits',
      categories: ['council-tax-reduction-claim'],
      roles: ['claimant', 'partner'],
    }),
};
