import { z } from 'zod';

export const DETERMINISTIC_FIELDS = [
  'nhsNumber',
  'nino',
  'dateOfBirth',
  'givenName',
  'familyName',
  'uprn',
  'email',
  'phone',
  'postcode',
] as const;

const deterministicRule = z.object({
  name: z.string().min(1),
  /** All must be present, valid and equal; `identifier:KEY` names a free-named identifier. */
  fields: z.array(z.union([z.enum(DETERMINISTIC_FIELDS), z.string().regex(/^identifier:.+$/)])).min(2),
});

export const matchConfigSchema = z
  .object({
    thresholds: z
      .object({
        /** Match probability at or above which a pair is linked automatically. */
        autoLink: z.number().gt(0).lt(1).default(0.95),
        /** Match probability at or above which (and below autoLink) a pair goes to clerical review. */
        review: z.number().gt(0).lt(1).default(0.5),
        /**
         * The review workload a batch may queue, per 1,000 records: beyond it the least probable items are
         * left out (counted, not queued), so the band's lower edge rises to what people can work. Null: no
         * limit.
         */
        reviewPerThousand: z.number().positive().nullable().default(20),
      })
      .prefault({})
      .refine((t) => t.review <= t.autoLink, { message: 'review threshold must not exceed autoLink' }),
    rules: z
      .object({
        deterministic: z.array(deterministicRule).default([
          { name: 'same NHS number and date of birth', fields: ['nhsNumber', 'dateOfBirth'] },
          { name: 'same NINO and date of birth', fields: ['nino', 'dateOfBirth'] },
        ]),
        hardNegatives: z
          .object({
            /** Two valid NINOs that differ by more than one transposition. */
            differentNino: z.boolean().default(true),
            /** Two valid NHS numbers that differ. */
            differentNhsNumber: z.boolean().default(true),
            /** Same date of birth, clearly different given names, same family name or address. */
            twins: z.boolean().default(true),
            /** Same name, dates of birth a generation apart (Sr / Jr). */
            generations: z.boolean().default(true),
            generationYears: z.number().int().min(1).default(14),
            /** Both names carry a generation suffix and they differ (Jr / Sr, II / III). */
            differentGenerationSuffix: z.boolean().default(true),
          })
          .prefault({}),
      })
      .prefault({}),
    blocking: z
      .object({
        /** Blocks larger than this are searched by sorted neighbourhood instead of all pairs. */
        maxBlockSize: z.number().int().min(2).default(200),
        /** Window of the sorted-neighbourhood search inside an oversized block. */
        window: z.number().int().min(2).default(20),
      })
      .prefault({}),
    training: z
      .object({
        seed: z.number().int().default(20240601),
        /** Random pairs sampled to estimate u. */
        uSamplePairs: z.number().int().min(1000).default(1_000_000),
        /** Pairs sampled from each blocking rule for EM. */
        emPairsPerRule: z.number().int().min(1000).default(100_000),
        emMaxIterations: z.number().int().min(1).default(40),
      })
      .prefault({}),
    clustering: z
      .object({
        /** Cross pairs checked (a deterministic sample beyond this) before two clusters are joined. */
        maxCrossPairs: z.number().int().min(1).default(2500),
        /**
         * Two clusters join only if the mean match weight of all pairs across them reaches this probability:
         * 0.5 means that, on balance, the evidence says one person.
         */
        minMeanProbability: z.number().gt(0).lt(1).default(0.5),
        /**
         * `average-linkage` (default): greedy agglomeration of auto-links under the mean-weight check.
         * `correlation`: then local moves of single records where the sum of match weights within clusters
         * grows. `components`: connected components of the auto-links, refusing only decisive negatives
         * (no check against chaining; for comparison). See docs/identity-matching.md.
         */
        method: z.enum(['average-linkage', 'correlation', 'components']).default('average-linkage'),
        /**
         * Settle a record left on its own whose review-band pairs all lead into one group of two or more
         * records, when the cluster check passes (see docs/identity-matching.md, "Clustering").
         */
        settleLoneRecords: z.boolean().default(true),
        /**
         * With `settleLoneRecords`: two records each left on its own whose only review-band pair is the one
         * with each other, with nothing against it, are one person (see docs/identity-matching.md).
         */
        settleLonePairs: z.boolean().default(true),
        /**
         * With `settleLoneRecords`: a lone record may join a group some of whose records it contradicts
         * when those records contradict the rest of their group too (the group's own odd ones out).
         */
        settleDespiteOutliers: z.boolean().default(true),
      })
      .prefault({}),
  })
  .strict();

export type MatchConfig = z.output<typeof matchConfigSchema>;
export type MatchConfigInput = z.input<typeof matchConfigSchema>;

export function matchConfig(input: MatchConfigInput = {}): MatchConfig {
  return matchConfigSchema.parse(input);
}
