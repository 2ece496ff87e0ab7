import { HubException } from '../../common/hub-exception';

export enum EligibilityErrorCode {
  /** The person id is not an id the hub issues (a UUID). */
  INVALID_PERSON_ID = 'INVALID_PERSON_ID',
  /** The check has no rule in force (a check added to the schema without its rule). */
  UNKNOWN_CHECK = 'UNKNOWN_CHECK',
  /** The hub knows no such person (asked only after the caller was found entitled to an answer). */
  PERSON_NOT_FOUND = 'PERSON_NOT_FOUND',
}

export class EligibilityException extends HubException<EligibilityErrorCode> {
  get httpStatus(): number {
    return this.code === EligibilityErrorCode.PERSON_NOT_FOUND ? 404 : 400;
  }
}
