import { GraphQLError } from 'graphql';
import { HubException } from '../common/hub-exception';
import type { SourceFailure } from './live/live-sources.service';

export enum SingleViewErrorCode {
  /** A source did not answer (timeout, error, circuit open): its fields are null, the rest is returned. */
  SOURCE_UNAVAILABLE = 'SOURCE_UNAVAILABLE',
  /** A search, lookup or cursor that is wrong as given. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
}

/** Bad input to a single-view query; nothing is looked up. */
export class SingleViewException extends HubException<SingleViewErrorCode> {
  get httpStatus(): number {
    return this.code === SingleViewErrorCode.SOURCE_UNAVAILABLE ? 502 : 400;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) => new SingleViewException(SingleViewErrorCode.BAD_USER_INPUT, message, details);

/**
 * The error on a field whose source did not answer. It names the source (extensions.source) so a client can
 * say which part of the answer is missing; the field is null and every other field is still returned.
 */
export function sourceUnavailableError(failure: SourceFailure): GraphQLError {
  return new GraphQLError(`Source ${failure.source} is unavailable (${failure.reason}); its data is missing from this answer`, {
    extensions: { code: SingleViewErrorCode.SOURCE_UNAVAILABLE, domain: true, source: failure.source, details: { source: failure.source, reason: failure.reason } },
  });
}
