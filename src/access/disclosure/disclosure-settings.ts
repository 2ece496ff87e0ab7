import { z } from 'zod';

/** Limits on how many persons a client may be shown (see docs/access-control.md, "Harvesting"). */
export interface DisclosureSettings {
  /** Distinct persons released to one client per minute, shared by every instance; 0 turns the budget off. */
  personsPerMinute: number;
  /** Distinct persons released to one client per day (24 hours from its first disclosure); 0 turns it off. */
  personsPerDay: number;
  /** The most distinct persons one case reference of an organisation may cover within the period. */
  caseReferenceMaxPersons: number;
  /** The period, in days, over which a case reference's persons are counted. */
  caseReferencePeriodDays: number;
}

export const disclosureEnvSchema = {
  PERSONS_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(120),
  PERSONS_PER_DAY: z.coerce.number().int().min(0).max(10_000_000).default(2000),
  CASE_REFERENCE_MAX_PERSONS: z.coerce.number().int().min(1).max(10_000).default(5),
  CASE_REFERENCE_PERIOD_DAYS: z.coerce.number().int().min(1).max(366).default(30),
};

type DisclosureEnv = z.output<z.ZodObject<typeof disclosureEnvSchema>>;

export function toDisclosureSettings(values: DisclosureEnv): DisclosureSettings {
  return {
    personsPerMinute: values.PERSONS_PER_MINUTE,
    personsPerDay: values.PERSONS_PER_DAY,
    caseReferenceMaxPersons: values.CASE_REFERENCE_MAX_PERSONS,
    caseReferencePeriodDays: values.CASE_REFERENCE_PERIOD_DAYS,
  };
}
