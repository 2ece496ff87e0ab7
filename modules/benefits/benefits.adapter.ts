import {
  FetchOptions,
  IdentityPage,
  RejectedRecord,
  ServiceRecord,
  SourceAdapter,
  SourceDescription,
  SourceHealth,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import { AdapterContext, badResponse, probeHealth, SourceTransport } from '../../src/sources/source-transport';
import { describeSource } from '../../src/sources/source-declaration';
import { benefitsDeclaration } from './declaration';
import { BenefitsClaim } from './benefits-api.types';
import { claimRecord, mapBenefitsParty } from './benefits.mapper';

const id = 'benefits';

/**
 * The benefits system: one change feed of claim parties behind an opaque cursor. A full load reads the
 * feed from its start; the cursor at its end is where later changes (deletions as tombstones) continue.
 */
export class BenefitsAdapter implements SourceAdapter {
  constructor(
    private readonly transport: SourceTransport,
    private readonly pageSize: number,
  ) {}

  describe(): SourceDescription {
    return describeSource(benefitsDeclaration);
  }

  async pullIdentities(cursor?: string): Promise<IdentityPage> {
    const body = (await this.transport.getJson('/v1/parties', { limit: this.pageSize, cursor })) as Partial<{
      data: unknown;
      next_cursor: unknown;
      has_more: unknown;
    }>;
    if (
      !body ||
      !Array.isArray(body.data) ||
      typeof body.next_cursor !== 'string' ||
      typeof body.has_more !== 'boolean'
    ) {
      throw badResponse(id, 'a parties page needs data, next_cursor and has_more');
    }
    const records: SourceIdentityRecord[] = [];
    const rejected: RejectedRecord[] = [];
    for (const raw of body.data) {
      const mapped = mapBenefitsParty(raw);
      if ('identity' in mapped) records.push(mapped);
      else rejected.push(mapped);
    }
    return { records, rejected, nextCursor: body.next_cursor, complete: !body.has_more };
  }

  async fetchDetails(sourceKeys: readonly string[], options?: FetchOptions): Promise<Map<string, ServiceRecord[]>> {
    const result = new Map<string, ServiceRecord[]>();
    if (sourceKeys.length === 0) return result;
    const body = (await this.transport.getJson('/v1/claims', { partyId: sourceKeys }, options)) as {
      claims?: (BenefitsClaim & { parties?: { partyId: string; partyRole?: string }[] })[];
    };
    if (!body || !Array.isArray(body.claims)) throw badResponse(id, 'claims missing');
    const wanted = new Set(sourceKeys);
    for (const claim of body.claims) {
      if (typeof claim?.claimReference !== 'string' || !Array.isArray(claim.schemes))
        throw badResponse(id, 'a claim needs claimReference and schemes');
      for (const party of claim.parties ?? []) {
        if (!wanted.has(party.partyId)) continue;
        result.set(party.partyId, [...(result.get(party.partyId) ?? []), ...claimRecord(claim, party.partyId)]);
      }
    }
    return result;
  }

  health(): Promise<SourceHealth> {
    return probeHealth(
      () => this.transport.getJson('/v1/ping'),
      (body) => (body as { ok?: unknown })?.ok === true,
      'ping is not ok',
    );
  }
}

export function createBenefitsAdapter(context: AdapterContext): SourceAdapter {
  return new BenefitsAdapter(context.transport, context.pageSize);
}
