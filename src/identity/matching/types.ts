import { IdentityFields } from '../../sources/identity-fields';

/** One source record offered to the matcher. `source` + `id` identify it. */
export interface MatchRecord {
  source: string;
  id: string;
  fields: IdentityFields;
}

export interface PreparedName {
  tokens: string[];
  key: string;
  first: string;
  /** Double metaphone codes of the whole key (primary, alternate). */
  metaphone: [string, string];
  /** Nickname groups of the first token. */
  nicknames: readonly number[];
  /** The key's letters as a bit mask (`letterMask`), for rejecting unlike names cheaply. */
  letters: number;
}

/**
 * A record normalised once, with everything the comparators and blocking keys need precomputed, so that
 * scoring a pair does no parsing. Built by `prepareRecord` (normalise.ts).
 */
export interface PreparedRecord {
  /** Position in the batch being matched (or -1 outside a batch). */
  index: number;
  source: string;
  id: string;
  given: PreparedName | null;
  middle: PreparedName | null;
  family: PreparedName | null;
  /** Family name parts when the name is double-barrelled or hyphenated. */
  familyParts: string[];
  previousFamilies: string[];
  generation: string | null;
  dob: { y: number; m: number; d: number; iso: string } | null;
  sex: 'F' | 'M' | null;
  nino: string | null;
  nhs: string | null;
  uprn: string | null;
  postcode: { full: string; sector: string | null; district: string | null; area: string | null } | null;
  address: string[] | null;
  /** Inverse-document-frequency weight of each address token, filled by the model (1 until then). */
  addressWeights: Float64Array | null;
  /** Letter bitmask of each address token (see address.ts). */
  addressMasks: Int32Array | null;
  addressKey: string | null;
  locality: string | null;
  email: { full: string; local: string; valid: boolean } | null;
  phone: string | null;
  identifiers: Map<string, string> | null;
}
