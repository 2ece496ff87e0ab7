import { Injectable, Logger } from '@nestjs/common';
import type { ServiceRecord, SourceAdapter } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { EligibilityRule, SourceInput } from './eligibility-rule';

/** The longest an eligibility answer waits for one source before answering UNKNOWN for it. */
export const ELIGIBILITY_SOURCE_DEADLINE_MS = 8000;

/**
 * Fetches, live through the adapters, exactly what a rule reads: the person's records in the rule's
 * categories, cut down to the rule's declared fields. Sources are asked in parallel, each under a
 * deadline; a source that fails or is not configured becomes an input the rule reports as a gap. Nothing
 * fetched here is stored or returned to a caller.
 */
@Injectable()
export class EligibilityInputs {
  private readonly logger = new Logger('Eligibility');

  constructor(private readonly registry: SourceRegistry) {}

  async fetch(rule: EligibilityRule, keys: Map<string, string[]>, requestId?: string): Promise<Map<string, SourceInput>> {
    const sources = [...new Set(rule.inputs.map((input) => input.source))];
    let adapters: Map<string, SourceAdapter>;
    try {
      adapters = await this.registry.adapters();
    } catch (error) {
      this.logger.error(`Sources could not be reached for an eligibility check: ${(error as Error).message}`);
      return new Map(sources.map((source) => [source, { status: 'unavailable' }]));
    }
    const entries = await Promise.all(
      sources.map(async (source): Promise<[string, SourceInput]> => {
        const adapter = adapters.get(source);
        if (!adapter) return [source, { status: 'not-configured' }];
        const sourceKeys = keys.get(source) ?? [];
        if (sourceKeys.length === 0) return [source, { status: 'available', records: [] }];
        try {
          const details = await adapter.fetchDetails(sourceKeys, { signal: AbortSignal.timeout(ELIGIBILITY_SOURCE_DEADLINE_MS), requestId });
          return [source, { status: 'available', records: minimise(rule, source, [...details.values()].flat()) }];
        } catch (error) {
          // The message names the source and the failure, never the person's data.
          this.logger.warn(`${source} did not answer an eligibility check: ${(error as Error).message}`);
          return [source, { status: 'unavailable' }];
        }
      }),
    );
    return new Map(entries);
  }
}

/** Only the categories and fields the rule declares reach the rule. */
function minimise(rule: EligibilityRule, source: string, records: ServiceRecord[]): ServiceRecord[] {
  const wanted = new Map(rule.inputs.filter((i) => i.source === source).map((i) => [i.category, i.fields]));
  return records
    .filter((record) => wanted.has(record.category))
    .map((record) => ({
      category: record.category,
      recordId: record.recordId,
      fields: Object.fromEntries(wanted.get(record.category)!.filter((f) => f in record.fields).map((f) => [f, record.fields[f]])),
    }));
}
