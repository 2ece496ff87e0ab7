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
  decodeCursor,
  encodeCursor,
  lifeEventReceipt,
  probeHealth,
  refusedOrRethrown,
  SourceTransport,
} from '../../src/sources/source-transport';
import { describeSource } from '../../src/sources/source-declaration';
import { housingDeclaration } from './declaration';
import { HousingApplicationDetail, HousingTenancyDetail } from './housing-api.types';
import { applicationRecord, mapHousingTenant, tenancyRecord } from './housing.mapper';

const id = 'housing';

/** Where a housing load is: a full listing or a change listing, which page, and the listing's start time. */
interface HousingCursor {
  mode: 'full' | 'changes';
  page: number;
  /** For changes: the `modifiedSince` asked. */
  since?: string;
  /** `extractedAt` of this pass's first page: where the next pass takes changes from. */
  asAt?: string;
}

/**
 * The housing system: page-numbered listings of tenants (full), or of tenants changed since a time
 * (incremental, with tombstones for deleted records). A change listing repeats records changed within the
 * second it starts from; the sync's content hash makes the repeat harmless.
 */
export class HousingAdapter implements SourceAdapter {
  constructor(
    private readonly transport: SourceTransport,
    private readonly pageSize: number,
  ) {}

  describe(): SourceDescription {
    return describeSource(housingDeclaration);
  }

  async pullIdentities(cursor?: string): Promise<IdentityPage> {
    const at = cursor ? decode(cursor) : { mode: 'full' as const, page: 1 };
    const body = await this.transport.getJson('/api/v2/tenants', {
      page: at.page,
      pageSize: this.pageSize,
      modifiedSince: at.mode === 'changes' ? at.since : undefined,
    });
    const page = body as { totalPages?: unknown; totalRecords?: unknown; extractedAt?: unknown; tenants?: unknown };
    if (
      !page ||
      !Array.isArray(page.tenants) ||
      typeof page.totalPages !== 'number' ||
      typeof page.extractedAt !== 'string'
    ) {
      throw badResponse(id, 'a tenants page needs tenants, totalPages and extractedAt');
    }
    const records: SourceIdentityRecord[] = [];
    const rejected: RejectedRecord[] = [];
    for (const raw of page.tenants) {
      const mapped = mapHousingTenant(raw);
      if ('identity' in mapped) records.push(mapped);
      else rejected.push(mapped);
    }
    const asAt = at.asAt ?? page.extractedAt;
    const complete = at.page >= page.totalPages;
    const next: HousingCursor = complete
      ? { mode: 'changes', page: 1, since: asAt }
      : { ...at, page: at.page + 1, asAt };
    return {
      records,
      rejected,
      nextCursor: encodeCursor(next),
      complete,
      total: typeof page.totalRecords === 'number' ? page.totalRecords : undefined,
    };
  }

  async fetchDetails(sourceKeys: readonly string[], options?: FetchOptions): Promise<Map<string, ServiceRecord[]>> {
    const result = new Map<string, ServiceRecord[]>();
    if (sourceKeys.length === 0) return result;
    const body = (await this.transport.postJson(
      '/api/v2/tenants/details',
      { tenantRefs: sourceKeys },
      { ...options, idempotent: true },
    )) as {
      results?: {
        tenantRef?: unknown;
        tenancies?: HousingTenancyDetail[];
        applications?: HousingApplicationDetail[];
      }[];
    };
    if (!body || !Array.isArray(body.results)) throw badResponse(id, 'details need results');
    for (const entry of body.results) {
      if (typeof entry?.tenantRef !== 'string') throw badResponse(id, 'a details result needs tenantRef');
      const records = [
        ...(entry.tenancies ?? []).map(tenancyRecord),
        ...(entry.applications ?? []).map(applicationRecord),
      ];
      if (records.length) result.set(entry.tenantRef, records);
    }
    return result;
  }

  /**
   * `POST /api/v2/life-event-notifications` in housing's shape: the idempotency key is the notification
   * reference (the system applies a reference once), dates dd/MM/yyyy. Idempotent, so the transport may
   * repeat it on a timeout or a 5xx; a 4xx is the system refusing the notice (LifeEventNoticeRefused).
   */
  async notify(notice: LifeEventNotice): Promise<LifeEventReceipt> {
    const body = {
      notification_ref: notice.idempotencyKey,
      notification_type: notice.kind,
      event_ref: notice.eventId,
      event_type: notice.type,
      tenant_refs: notice.sourceKeys,
      event_date: notice.date ? ukDateOf(notice.date) : undefined,
      new_address: notice.newAddress
        ? {
            address1: notice.newAddress.lines[0] ?? null,
            address2: notice.newAddress.lines[1] ?? null,
            address3: notice.newAddress.lines.slice(2, -1).join(', ') || null,
            town:
              notice.newAddress.lines.length > 2 ? notice.newAddress.lines[notice.newAddress.lines.length - 1] : null,
            post_code: notice.newAddress.postcode,
            uprn: notice.newAddress.uprn ?? null,
          }
        : undefined,
      new_name: notice.newName
        ? {
            forename: notice.newName.givenName,
            middle_names: notice.newName.middleNames,
            surname: notice.newName.familyName,
          }
        : undefined,
      child: notice.child
        ? {
            forename: notice.child.givenName,
            surname: notice.child.familyName,
            gender: notice.child.sex ? { F: 'Female', M: 'Male', X: 'Not Known' }[notice.child.sex] : undefined,
            dob: notice.child.dateOfBirth ? ukDateOf(notice.child.dateOfBirth) : undefined,
          }
        : undefined,
    };
    const answer = (await this.transport
      .postJson('/api/v2/life-event-notifications', body, { idempotent: true })
      .catch(refusedOrRethrown)) as { result?: unknown; message?: unknown } | null;
    const outcomes = { APPLIED: 'applied', ALREADY_APPLIED: 'already-applied', NO_ACTION: 'nothing-to-do' } as const;
    return lifeEventReceipt(id, outcomes, answer?.result, answer?.message);
  }

  health(): Promise<SourceHealth> {
    return probeHealth(
      () => this.transport.getJson('/api/v2/status'),
      (body) => (body as { status?: unknown })?.status === 'OK',
      'status is not OK',
    );
  }
}

function decode(cursor: string): HousingCursor {
  return decodeCursor<HousingCursor>(
    id,
    cursor,
    (value) => (value.mode === 'full' || value.mode === 'changes') && Number.isInteger(value.page) && value.page >= 1,
  );
}

/** yyyy-mm-dd → dd/MM/yyyy. */
function ukDateOf(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

export function createHousingAdapter(context: AdapterContext): SourceAdapter {
  return new HousingAdapter(context.transport, context.pageSize);
}
