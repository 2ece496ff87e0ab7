import { HubException } from '../common/hub-exception';

export enum IdentityErrorCode {
  NOT_FOUND = 'IDENTITY_NOT_FOUND',
  ALREADY_DECIDED = 'REVIEW_ALREADY_DECIDED',
  INVALID_MERGE = 'INVALID_MERGE',
  CONFLICTING_DECISION = 'CONFLICTING_DECISION',
  INVALID_SPLIT = 'INVALID_SPLIT',
  /** A second open request to merge the same two persons (or from the same review item). */
  MERGE_ALREADY_REQUESTED = 'MERGE_ALREADY_REQUESTED',
  MERGE_ALREADY_DECIDED = 'MERGE_REQUEST_ALREADY_DECIDED',
  /** The steward who asked for a merge cannot be its second steward. */
  SELF_APPROVAL = 'MERGE_SELF_APPROVAL',
  /** The persons or records a merge request names have changed since it was made; decide afresh. */
  MERGE_STALE = 'MERGE_REQUEST_STALE',
}

export class IdentityException extends HubException<IdentityErrorCode> {
  get httpStatus(): number {
    if (this.code === IdentityErrorCode.NOT_FOUND) return 404;
    return this.code === IdentityErrorCode.SELF_APPROVAL ? 403 : 409;
  }
}
