import { HubException } from '../common/hub-exception';

export enum AuthErrorCode {
  /** No token, or a token that does not verify. HTTP 401. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** A verified principal whose roles do not allow the operation. HTTP 403. */
  FORBIDDEN = 'FORBIDDEN',
  /** A field or operation with no policy declaration: refused, never served (fail closed). */
  NO_POLICY = 'NO_POLICY',
  /** Local token signing asked for where it is not allowed (production, or an external identity provider). */
  LOCAL_SIGNING_DISABLED = 'LOCAL_SIGNING_DISABLED',
}

/** Why a token was refused; kept for the audit trail, never shown to the caller (it would help an attacker). */
export type AuthFailureReason =
  | 'missing-token'
  | 'malformed-header'
  | 'malformed-token'
  | 'algorithm-not-allowed'
  | 'missing-kid'
  | 'unknown-kid'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'unknown-issuer'
  | 'wrong-audience'
  | 'missing-claim'
  | 'no-known-role'
  | 'organisation-not-allowed'
  | 'role-not-allowed'
  | 'lifetime-too-long'
  | 'issued-in-future'
  | 'key-set-unavailable';

/** What a refused token said about itself (unverified: the attacker's words), for the audit trail. */
export interface RefusedTokenFacts {
  issuer?: string;
  keyId?: string;
  claimedOrganisation?: string;
  claimedRoles?: string[];
}

export class AuthException extends HubException<AuthErrorCode> {
  /** Filled in by the verifier as far as the token could be read. */
  token?: RefusedTokenFacts;

  constructor(
    code: AuthErrorCode,
    message: string,
    readonly reason?: AuthFailureReason,
  ) {
    super(code, message);
  }

  get httpStatus(): number {
    if (this.code === AuthErrorCode.UNAUTHENTICATED) return 401;
    if (this.code === AuthErrorCode.LOCAL_SIGNING_DISABLED) return 400;
    return 403;
  }

  static unauthenticated(reason: AuthFailureReason, token?: RefusedTokenFacts): AuthException {
    // One message for every reason, so a caller cannot probe which check failed.
    const error = new AuthException(
      AuthErrorCode.UNAUTHENTICATED,
      'Authentication required: send a valid bearer token',
      reason,
    );
    if (token) error.token = token;
    return error;
  }
}
