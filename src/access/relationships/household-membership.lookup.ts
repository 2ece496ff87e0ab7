import type { HouseholdMembershipFact } from '../policy/policy.types';

/**
 * The port through which the relationship check learns which households a person belongs to (a case held
 * for a household covers its members). Implemented by the households module's HouseholdsService.
 */
export abstract class HouseholdMembershipLookup {
  /** Memberships of these people current at `at`. */
  abstract householdsOf(personIds: readonly string[], at: Date): Promise<HouseholdMembershipFact[]>;
}
