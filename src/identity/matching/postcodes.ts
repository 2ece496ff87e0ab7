import { parse } from 'postcode';

export interface NormalisedPostcode {
  /** UK postcodes in their standard form ("SW1A 2AA"); others upper case without spaces. */
  full: string;
  /** Set for valid UK postcodes only. */
  sector: string | null;
  district: string | null;
  area: string | null;
}

export function normalisePostcode(value: string | undefined | null): NormalisedPostcode | null {
  if (!value) return null;
  const compact = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!compact) return null;
  const uk = parse(compact);
  if (uk.valid) return { full: uk.postcode, sector: uk.sector, district: uk.district, area: uk.area };
  return { full: compact, sector: null, district: null, area: null };
}
