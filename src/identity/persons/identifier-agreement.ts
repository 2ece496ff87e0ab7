import { IdentityFields } from '../../sources/identity-fields';
import { normaliseNhsNumber, normaliseNino } from '../matching/identifiers';

export type NationalIdentifier = 'nino' | 'nhsNumber';

export interface IdentifierAgreement {
  /** The identifier both persons hold the same value of, when they agree. */
  agreeing?: NationalIdentifier;
  /** Identifiers both persons hold with more than one value between them: the sources do not say one person. */
  conflicting: NationalIdentifier[];
}

const readers: Record<NationalIdentifier, (fields: IdentityFields) => string | null> = {
  // The NINO's stem: systems disagree about keeping the suffix letter (as in matching and the golden identity).
  nino: (fields) => normaliseNino(fields.nino),
  nhsNumber: (fields) => normaliseNhsNumber(fields.nhsNumber),
};

/**
 * Whether two persons' own records show them to be one person by a national identifier: a NINO or NHS
 * number (normalised; invalid and placeholder values count for nothing) that both hold and that is the
 * only value of it either holds, and no other identifier held by both with more than one value between
 * them. A record that disagrees (two NINOs on one side, or NHS numbers that differ) leaves it to a second
 * steward: a steward's say-so is not evidence here, only what the sources hold.
 */
export function identifierAgreement(a: readonly IdentityFields[], b: readonly IdentityFields[]): IdentifierAgreement {
  const conflicting: NationalIdentifier[] = [];
  let agreeing: NationalIdentifier | undefined;
  for (const identifier of Object.keys(readers) as NationalIdentifier[]) {
    const [valuesA, valuesB] = [a, b].map(
      (records) => new Set(records.map(readers[identifier]).filter((v): v is string => v !== null)),
    );
    if (valuesA.size === 0 || valuesB.size === 0) continue;
    if (new Set([...valuesA, ...valuesB]).size === 1) agreeing ??= identifier;
    else conflicting.push(identifier);
  }
  return conflicting.length > 0 ? { conflicting } : { agreeing, conflicting };
}
