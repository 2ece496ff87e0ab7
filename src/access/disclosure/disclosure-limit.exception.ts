import { HubException } from '../../common/hub-exception';

export enum DisclosureLimitCode {
  /** The client's budget of persons disclosed (per minute or per day) is spent; `Retry-After` says when to ask again. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The case reference would cover more persons than CASE_REFERENCE_MAX_PERSONS within the period. */
  CASE_REFERENCE_TOO_BROAD = 'CASE_REFERENCE_TOO_BROAD',
  /** The client is past the daily volume of persons its agreement expects, and the agreement refuses beyond it. */
  EXPECTED_VOLUME_EXCEEDED = 'EXPECTED_VOLUME_EXCEEDED',
}

/** A disclosure refused for how many persons it would make; the persons it was about are not released. */
export class DisclosureLimitException extends HubException<DisclosureLimitCode> {
  get httpStatus(): number {
    return this.code === DisclosureLimitCode.CASE_REFERENCE_TOO_BROAD ? 403 : 429;
  }

  override get httpHeaders(): Record<string, string> | undefined {
    const wait = this.details?.retryAfterSeconds;
    return typeof wait === 'number' ? { 'retry-after': String(wait) } : undefined;
  }
}
