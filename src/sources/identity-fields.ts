/**
 * What a source states about who a person is. Every field is optional: a source holds what it holds, and
 * a value it holds may be wrong. Adapters normalise formats (dates to ISO `yyyy-mm-dd`, trimmed strings)
 * but never correct content: deciding who is who is the matcher's work, on the values as the source has them.
 */
export interface IdentityFields {
  givenName?: string;
  middleNames?: string;
  familyName?: string;
  /** Earlier family names the source knows (maiden name, name before a change). */
  previousFamilyNames?: string[];
  /** ISO `yyyy-mm-dd`. A partial date is not given here (the adapter rejects or drops it). */
  dateOfBirth?: string;
  /** `F`, `M` or `X` (other or not stated), as the source records it. */
  sex?: 'F' | 'M' | 'X';
  /**
   * National Insurance number as held (the adapter does not validate it). In `source_record` it is normalised
   * (upper case, no spaces); one of invalid shape or prefix is withheld and quarantined by the sync.
   */
  nino?: string;
  /** NHS number as held, digits only; in `source_record`, one failing the modulus 11 check is withheld and quarantined. */
  nhsNumber?: string;
  /** Unique Property Reference Number of the current address. */
  uprn?: string;
  addressLines?: string[];
  locality?: string;
  postcode?: string;
  phone?: string;
  email?: string;
  /** Other identifiers by name (e.g. a council tax account), compared exactly or within one edit. */
  identifiers?: Record<string, string>;
}

export const identityFieldNames = [
  'givenName',
  'middleNames',
  'familyName',
  'previousFamilyNames',
  'dateOfBirth',
  'sex',
  'nino',
  'nhsNumber',
  'uprn',
  'addressLines',
  'locality',
  'postcode',
  'phone',
  'email',
  'identifiers',
] as const satisfies readonly (keyof IdentityFields)[];
