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
import { socialCareDeclaration } from './declaration';
import { CareInvolvementRow } from './social-care-api.types';
import { involvementRecord, mapCarePerson } from './social-care.mapper';

const id = 'social-care';

/** The keyset position: the last record read (its update stamp and id). */
interface CareCursor {
  since?: string;
  afterId?: string;
}

/**
 * The social care system: people in keyset pages ordered by last update. The same walk serves the full
 * load and the incremental feed: a record changed during the walk moves to its end, so none is skipped.
 * Social care data is special category (UK GDPR Art. 9).
 */
export class SocialCareAdapter implements SourceAdapter {
  constructor(
    private readonly transport: SourceTransport,
    private readonly pageSize: number,
  ) {}

  describe(): SourceDescription {
    return describeSource(socialCareDeclaration);
  }

  async pullIdentities(cursor?: string): Promise<IdentityPage> {
    const at = cursor ? decode(cursor) : {};
    const body = (await this.transport.getJson('/api/people', {
      limit: this.pageSize,
      updatedSince: at.since,
      afterId: at.afterId,
    })) as Partial<{
      people: unknown;
      moreAvailable: unknown;
    }>;
    if (!body || !Array.isArray(body.people) || typeof body.moreAvailable !== 'boolean')
      throw badResponse(id, 'a people page needs people and moreAvailable');
    const records: SourceIdentityRecord[] = [];
    const rejected: RejectedRecord[] = [];
    let next = at;
    for (const raw of body.people) {
      const mapped = mapCarePerson(raw);
      if ('identity' in mapped) records.push(mapped);
      else rejected.push(mapped);
      // The position moves past every record read, rejected ones too, or a bad record would stop the feed.
      const r = raw as { lastUpdated?: unknown; personId?: unknown };
      if (typeof r?.lastUpdated === 'string')
        next = { since: r.lastUpdated, afterId: typeof r.personId === 'string' ? r.personId : '' };
    }
    return { records, rejected, nextCursor: encodeCursor(next), complete: !body.moreAvailable };
  }

  async fetchDetails(sourceKeys: readonly string[], options?: FetchOptions): Promise<Map<string, ServiceRecord[]>> {
    const result = new Map<string, ServiceRecord[]>();
    if (sourceKeys.length === 0) return result;
    const body = (await this.transport.postJson(
      '/api/involvements/search',
      { personIds: sourceKeys },
      { ...options, idempotent: true },
    )) as {
      involvements?: CareInvolvementRow[];
    };
    if (!body || !Array.isArray(body.involvements)) throw badResponse(id, 'involvements missing');
    for (const row of body.involvements) {
      if (typeof row?.personId !== 'string' || typeof row.caseId !== 'string')
        throw badResponse(id, 'an involvement needs personId and caseId');
      result.set(row.personId, [...(result.get(row.personId) ?? []), involvementRecord(row)]);
    }
    return result;
  }

  /**
   * `POST /api/notifications` in the case management system's shape: the idempotency key is the message id
   * (applied once), a retraction is a WITHDRAWAL, dates yyyyMMdd. Idempotent, so the transport may repeat
   * it; a 4xx is the system refusing the notice (LifeEventNoticeRefused).
   */
  async notify(notice: LifeEventNotice): Promise<LifeEventReceipt> {
    const compact = (iso: string | undefined) => iso?.replaceAll('-', '');
    const name = notice.newName;
    const body = {
      messageId: notice.idempotencyKey,
      messageType: notice.kind === 'NOTICE' ? 'NOTIFICATION' : 'WITHDRAWAL',
      eventReference: notice.eventId,
      eventType: { DEATH: 'DEATH', BIRTH: 'BIRTH', CHANGE_OF_ADDRESS: 'ADDRESS_CHANGE', CHANGE_OF_NAME: 'NAME_CHANGE' }[
        notice.type
      ],
      personIds: notice.sourceKeys,
      eventDate: compact(notice.date),
      address: notice.newAddress
        ? {
            addressText: notice.newAddress.lines.join(', '),
            postcode: notice.newAddress.postcode,
            uprn: notice.newAddress.uprn,
          }
        : undefined,
      name: name
        ? {
            forenames: name.givenName ? [name.givenName, name.middleNames].filter(Boolean).join(' ') : undefined,
            surname: name.familyName,
          }
        : undefined,
      child: notice.child
        ? {
            forenames: notice.child.givenName,
            surname: notice.child.familyName,
            birthDate: compact(notice.child.dateOfBirth),
          }
        : undefined,
    };
    const answer = (await this.transport
      .postJson('/api/notifications', body, { idempotent: true })
      .catch(refusedOrRethrown)) as { state?: unknown; note?: unknown } | null;
    const outcomes = { PROCESSED: 'applied', DUPLICATE: 'already-applied', NO_ACTION: 'nothing-to-do' } as const;
    return lifeEventReceipt(id, outcomes, answer?.state, answer?.note);
  }

  health(): Promise<SourceHealth> {
    return probeHealth(
      () => this.transport.getJson('/api/health'),
      (body) => (body as { state?: unknown })?.state === 'RUNNING',
      'state is not RUNNING',
    );
  }
}

function decode(cursor: string): CareCursor {
  return decodeCursor<CareCursor>(id, cursor, () => true);
}

export function createSocialCareAdapter(context: AdapterContext): SourceAdapter {
  return new SocialCareAdapter(context.transport, context.pageSize);
}
