import {
  FetchOptions,
  IdentityPage,
  LifeEventNotice,
  LifeEventReceipt,
  RejectedRecord,
  ServiceRecord,
  SourceAdapter,
  SourceDescription,
  SourceHealth,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import {
  AdapterContext,
  badResponse,
  lifeEventReceipt,
  probeHealth,
  refusedOrRethrown,
  SourceTransport,
} from '../../src/sources/source-transport';
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

  /**
   * `POST /v1/life-events` in benefits' shape (ISO dates, party ids). The system applies an idempotency key
   * once, so the transport may repeat the call; a 4xx is the system refusing the notice
   * (LifeEventNoticeRefused), e.g. a change of address without the new address.
   */
  async notify(notice: LifeEventNotice): Promise<LifeEventReceipt> {
    const body = {
      idempotencyKey: notice.idempotencyKey,
      noticeType: notice.kind,
      eventId: notice.eventId,
      eventType: notice.type,
      partyIds: notice.sourceKeys,
      eventDate: notice.date,
      newAddress: notice.newAddress,
      newName: notice.newName
        ? {
            forename: notice.newName.givenName,
            otherForenames: notice.newName.middleNames,
            surname: notice.newName.familyName,
          }
        : undefined,
      child: notice.child
        ? {
            forename: notice.child.givenName,
            surname: notice.child.familyName,
            sex: notice.child.sex ? { F: 'F', M: 'M', X: 'U' }[notice.child.sex] : undefined,
            dateOfBirth: notice.child.dateOfBirth,
          }
        : undefined,
    };
    const answer = (await this.transport
      .postJson('/v1/life-events', body, { idempotent: true })
      .catch(refusedOrRethrown)) as { status?: unknown; message?: unknown } | null;
    const outcomes = { applied: 'applied', duplicate: 'already-applied', no_change: 'nothing-to-do' } as const;
    return lifeEventReceipt(id, outcomes, answer?.status, answer?.message);
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
