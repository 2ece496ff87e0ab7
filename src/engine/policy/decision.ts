/**
 * What the engine enforces and the decision point (access/policy/decide.ts) answers: the subject asked
 * about, the access context the request declares, and the decision with the fields it releases and
 * withholds. The engine reads decisions; it never takes them.
 */

/** A releasable field, named `source.category.field` (e.g. `housing.tenancy.rentArrears`, `hub.identity.dateOfBirth`). */
export type FieldRef = string;

/** What the request says it is for, from the `x-purpose`, `x-case-reference` and `x-break-glass` headers. */
export interface AccessContext {
  purpose?: string;
  caseReference?: string;
  breakGlassId?: string;
}

export interface PolicySubject {
  personId: string;
  /** The household the person is asked about as a member of: named in the audit event, not used by the decision. */
  householdId?: string;
  /**
   * The id the caller asked for when it was merged into `personId` (a view through a merged id): named in
   * the audit event beside the survivor, so each id's subject access report and access timeline show it.
   */
  requestedId?: string;
  /**
   * When to judge the person's household membership, for a case held for a household (the case itself is
   * judged now): the moment before a life event that ended the membership, for the alert about that event
   * (docs/life-events.md, "Alerts"). Absent: now.
   */
  relationshipAt?: Date;
}

export type Effect = 'allow' | 'allow-with-redactions' | 'deny';

export interface WithheldField {
  field: FieldRef;
  reason: string;
  /**
   * What the reason is about: the request (purpose, agreement, case reference, Art. 9 condition: the same
   * for every person asked about), or this person (relationship, objection, consent). A reason about a
   * person is never shown where someone else is the subject, e.g. on a household's own fields.
   */
  about?: 'request' | 'person';
}

export interface Decision {
  effect: Effect;
  released: FieldRef[];
  withheld: WithheldField[];
  reasons: string[];
  agreement?: { id: string; version: number };
  /** Lawful basis and, for special-category data, the Art. 9 condition. */
  basis?: string;
  consentId?: string;
  relationshipId?: string;
  breakGlassId?: string;
  /**
   * Set when a field derived from the sources (DERIVED_FIELDS: linked records, holding teams...) is
   * released: each special-category source, and whether what is derived from it goes with the field.
   */
  derivedSources?: DerivedSource[];
}

/** One special-category source, for a decision that released a derived field: may what is derived from it go too? */
export interface DerivedSource {
  source: string;
  released: boolean;
  /** Why not, when not. */
  reason?: string;
}
