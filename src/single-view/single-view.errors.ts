import { GraphQLError } from 'graphql';
import { HubException } from '../common/hub-exception';
import type { SourceFailure } from './live/live-sources.service';

export enum SingleViewErrorCode {
  /** A source did not answer (timeout, error, circuit open): its fields are null, the rest is returned. */
  SOURCE_UNAVAILABLE = 'SOURCE_UNAVAILABLE',
  /** A search, lookup or cursor that is wrong as given. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /**
   * No agreement in force lets the caller's organisation and roles use any data for the purpose: the whole
   * operation is refused, audited, before anything is looked up, so a real id answers as a random one.
   */
  NO_AGREEMENT = 'NO_AGREEMENT',
  /** The only agreements that would cover the purpose need `x-case-reference`, and none was sent. Refused likewise. */
  CASE_REFERENCE_REQUIRED = 'CASE_REFERENCE_REQUIRED',
}

/** A single-view query refused as asked (bad input, no usable agreement); nothing is looked up. */
export class SingleViewException extends HubException<SingleViewErrorCode> {
  get httpStatus(): number {
    switch (this.code) {
      case SingleViewErrorCode.SOURCE_UNAVAILABLE:
        return 502;
      case SingleViewErrorCode.NO_AGREEMENT:
      case SingleViewErrorCode.CASE_REFERENCE_REQUIRED:
        return 403;
      default:
        return 400;
    }
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new SingleViewException(SingleViewErrorCode.BAD_USER_INPUT, message, details);

/**
 * The error on a field whose source did not answer. It names the source (extensions.source) so a client can
 * say which part of the answer is missing; the field is null and every other field is still returned.
 */
export function sourceUnavailableError(failure: SourceFailure): GraphQLError {
  return new GraphQLError(
    `Source ${failure.source} is unavailable (${failure.reason}); its data is missing from this answer`,
    {
      extensions: {
        code: SingleViewErrorCode.SOURCE_UNAVAILABLE,
        domain: true,
        source: failure.source,
        details: { source: failure.source, reason: failure.reason },
      },
    },
  );
}
