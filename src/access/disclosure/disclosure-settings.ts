import { z } from 'zod';
import { defineSettings } from '../../config/config';

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

declare module '../../config/config' {
  interface AppConfig {
    /** How many persons a client may be shown: per minute, per day, per case reference (see access/disclosure). */
    disclosure: DisclosureSettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const disclosureSettings = defineSettings(disclosureEnvSchema, (values) => ({
  disclosure: toDisclosureSettings(values),
}));
