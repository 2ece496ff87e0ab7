import { HubException } from '../common/hub-exception';

export enum IdentityErrorCode {
  NOT_FOUND = 'IDENTITY_NOT_FOUND',
  ALREADY_DECIDED = 'REVIEW_ALREADY_DECIDED',
  INVALID_MERGE = 'INVALID_MERGE',
  CONFLICTING_DECISION = 'CONFLICTING_DECISION',
  INVALID_SPLIT = 'INVALID_SPLIT',
}

export class IdentityException extends HubException<IdentityErrorCode> {
  get httpStatus(): number {
    return this.code === IdentityErrorCode.NOT_FOUND ? 404 : 409;
  }
}
