import { IdentityFields } from './identity-fields';

/**
 * The port between the hub and a source system (housing, benefits, social care). Adapters in `modules/*`
 * implement it and are the only code that knows a source's API; they import only this file and the shared
 * types beside it, never each other.
 */
export interface SourceAdapter {
  describe(): SourceDescription;
  /**
   * One page of identity records. `cursor` undefined starts a full load; otherwise it is a cursor this
   * adapter returned before (within a load, or at its end for incremental changes since then).
   */
  pullIdentities(cursor?: string): Promise<IdentityPage>;
  /** Service records for many people in one call: source key → that person's records (absent: none). */
  fetchDetails(sourceKeys: readonly string[], options?: FetchOptions): Promise<Map<string, ServiceRecord[]>>;
  /** Tells the source of a life event (Tell Us Once); adapters whose source does not take them omit it. */
  notify?(notice: LifeEventNotice): Promise<LifeEventReceipt>;
  health(): Promise<SourceHealth>;
}

export interface SourceDescription {
  /** Stable id used in configuration, agreements and audit: `housing`, `benefits`, `social-care`. */
  id: string;
  name: string;
  categories: DataCategory[];
}

/** A kind of service data a source holds, with the field names an agreement can release. */
export interface DataCategory {
  /** e.g. `tenancy`, `homelessness-application`, `housing-benefit-claim`, `care-involvement`. */
  name: string;
  description: string;
  /** Special-category data under UK GDPR Art. 9 (e.g. social care, health): needs an Art. 9 condition. */
  specialCategory: boolean;
  fields: string[];
}

export interface IdentityPage {
  records: SourceIdentityRecord[];
  /** Records of this page the adapter could not map, each with why; the sync quarantines them. */
  rejected: RejectedRecord[];
  /** Where to continue: the next page of this load, or (when `complete`) the point to take changes from. */
  nextCursor: string;
  /** True when this page ends a full load or an incremental catch-up. */
  complete: boolean;
  /** Records in the whole load, when the source says, for progress. */
  total?: number;
}

export interface SourceIdentityRecord {
  /** The source's own key for this person-record (tenant reference, claim-person id, care person id). */
  sourceKey: string;
  identity: IdentityFields;
  householdHints: HouseholdHint[];
  /** True when an incremental feed reports the record deleted at source. */
  deleted?: boolean;
  /** When the source last changed it (ISO timestamp), if the source says. */
  updatedAt?: string;
  /**
   * Values the adapter could not read (e.g. a malformed date). The field is left out of `identity` and the
   * sync quarantines the value with this reason; the record itself is kept (it is still a person-record).
   */
  issues?: FieldIssue[];
}

/** Why a record, a field value or a page was set aside; counted by code in the sync summary. */
export type QuarantineReasonCode =
  | 'missing-key'
  | 'malformed-date'
  | 'invalid-nino'
  | 'invalid-nhs-number'
  | 'invalid-record'
  | 'not-json'
  | 'bad-page'
  | 'http-error'
  | 'timeout'
  | 'unreachable';

export interface FieldIssue {
  /** The identity field concerned (`dateOfBirth`, `nino`, ...). */
  field: string;
  code: QuarantineReasonCode;
  /** e.g. `dateOfBirth: "31/02/1980" is not a date`. */
  reason: string;
  /** The value as the source sent it. */
  value: unknown;
}

/** A source's evidence that people live together or are family. */
export interface HouseholdHint {
  /** The source-local key shared by the group: tenancy reference, claim reference, care family id. */
  groupKey: string;
  /** `reported-birth`: the hub's own, a child reported born (Tell Us Once) grouped with their parents. */
  kind: 'tenancy' | 'housing-application' | 'benefit-claim' | 'care-family' | 'reported-birth';
  /** e.g. tenant, joint-tenant, occupant, lodger, claimant, partner, dependant, non-dependant, child, parent, carer. */
  role?: string;
  /** UPRN or address of the group, when the source has it. */
  uprn?: string;
  from?: string;
  to?: string;
}

export interface RejectedRecord {
  sourceKey?: string;
  /** Defaults to `invalid-record`. */
  code?: QuarantineReasonCode;
  /** Why it was rejected, naming the field: e.g. `dateOfBirth: "31/02/1980" is not a date`. */
  reason: string;
  /** The record as the source sent it, for the data steward to fix at source. */
  raw: unknown;
}

export interface FetchOptions {
  signal?: AbortSignal;
  requestId?: string;
  /**
   * Called once the call is handed to the HTTP client, which writes it in this turn of the event loop (in
   * its check phase, on a kept-alive connection): work queued with `setImmediate` after this runs behind
   * the write instead of delaying it. Adapters pass it on with the rest of the options.
   */
  onDispatch?: () => void;
}

export interface ServiceRecord {
  /** Which of the source's `categories` this record belongs to. */
  category: string;
  /** The source's id for this record (tenancy ref, claim ref, case id). */
  recordId: string;
  /** Field name → value; names are those the category declares. */
  fields: Record<string, unknown>;
}

/**
 * A life event told to a source system (Tell Us Once, docs/life-events.md). At least once: the hub may send
 * the same notice again (a retry, a restarted hub), always with the same `idempotencyKey`; the source applies
 * a key once and answers the same for a repeat.
 */
export interface LifeEventNotice {
  idempotencyKey: string;
  /** NOTICE: the event happened. RETRACTION: the event `eventId` was reported wrongly; undo what its notice did. */
  kind: 'NOTICE' | 'RETRACTION';
  eventId: string;
  type: 'DEATH' | 'BIRTH' | 'CHANGE_OF_ADDRESS' | 'CHANGE_OF_NAME';
  /** This source's own keys for the person the event is about (for a birth: for the parents). */
  sourceKeys: string[];
  /** When it happened (YYYY-MM-DD). */
  date?: string;
  /** Only what the source's agreement releases for TELL_US_ONCE. */
  newAddress?: { lines: string[]; postcode: string; uprn?: string };
  newName?: { givenName?: string; middleNames?: string; familyName?: string };
  child?: { givenName: string; familyName: string; sex?: 'F' | 'M' | 'X'; dateOfBirth?: string };
}

/** What a source did with a notice: `applied`, or `already-applied` (the key was seen), or `nothing-to-do`. */
export interface LifeEventReceipt {
  outcome: 'applied' | 'already-applied' | 'nothing-to-do';
  /** What changed, in the source's words, without personal data ("tenancy T-123 ended"). */
  detail?: string;
}

/** A notice the source refused as wrong (HTTP 4xx): sending it again cannot help, so it is not retried. */
export class LifeEventNoticeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifeEventNoticeRefused';
  }
}

export interface SourceHealth {
  status: 'up' | 'down';
  detail?: string;
  latencyMs?: number;
}
