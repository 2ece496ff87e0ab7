import { Injectable } from '@nestjs/common';
import type { ServiceRecord } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { LiveSources } from '../live/live-sources.service';
import { EligibilityRule, SourceInput } from './eligibility-rule';

/**
 * Fetches, live, exactly what a rule reads: the person's records in the rule's categories, cut down to the
 * rule's declared fields. Sources are asked in parallel through the single view's live lookups, so each
 * has the same deadline (`SINGLE_VIEW_SOURCE_TIMEOUT_MS`) and the same circuit breaker as a person view: a
 * source that keeps failing is not called for a while. A source that fails or is not configured becomes
 * an input the rule reports as a gap. Nothing fetched here is stored or returned to a caller.
 */
@Injectable()
export class EligibilityInputs {
  constructor(
    private readonly registry: SourceRegistry,
    private readonly live: LiveSources,
  ) {}

  async fetch(
    rule: EligibilityRule,
    keys: Map<string, string[]>,
    requestId?: string,
  ): Promise<Map<string, SourceInput>> {
    const sources = [...new Set(rule.inputs.map((input) => input.source))];
    const configured = new Set(this.registry.configuredIds());
    const entries = await Promise.all(
      sources.map(async (source): Promise<[string, SourceInput]> => {
        if (!configured.has(source)) return [source, { status: 'not-configured' }];
        const sourceKeys = keys.get(source) ?? [];
        if (sourceKeys.length === 0) return [source, { status: 'available', records: [] }];
        try {
          const details = await this.live.fetch(source, sourceKeys, { requestId });
          return [source, { status: 'available', records: minimise(rule, source, [...details.values()].flat()) }];
        } catch {
          // LiveSources has logged why (naming the source and the failure, never the person's data).
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
      fields: Object.fromEntries(
        wanted
          .get(record.category)!
          .filter((f) => f in record.fields)
          .map((f) => [f, record.fields[f]]),
      ),
    }));
}
