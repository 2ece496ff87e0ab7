import { HubException } from '../common/hub-exception';

export enum AuditErrorCode {
  /** The event could not be written: nothing may be released. HTTP 503. */
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  /** The caller built an event the trail cannot hold (a bug in the caller). HTTP 500; nothing is released. */
  AUDIT_EVENT_INVALID = 'AUDIT_EVENT_INVALID',
  /** A DPO request that is wrong as asked (a bad cursor, an inverted range). HTTP 400. */
  AUDIT_BAD_REQUEST = 'AUDIT_BAD_REQUEST',
  /** A DPO request naming something that does not exist. HTTP 404. */
  AUDIT_NOT_FOUND = 'AUDIT_NOT_FOUND',
  /** At start in production: the database role could rewrite the trail. Never reaches a client. */
  AUDIT_ROLE_PRIVILEGED = 'AUDIT_ROLE_PRIVILEGED',
}

export class AuditException extends HubException<AuditErrorCode> {
  get httpStatus(): number {
    switch (this.code) {
      case AuditErrorCode.AUDIT_BAD_REQUEST:
        return 400;
      case AuditErrorCode.AUDIT_NOT_FOUND:
        return 404;
      case AuditErrorCode.AUDIT_EVENT_INVALID:
        return 500;
      default:
        return 503;
    }
  }

  static unavailable(cause: unknown): AuditException {
    const error = new AuditException(
      AuditErrorCode.AUDIT_UNAVAILABLE,
      'The audit trail could not record this request, so nothing was released',
    );
    (error as { cause?: unknown }).cause = cause;
    return error;
  }

  /** The one line main.ts prints when it refuses to start; `problems` are auditRoleProblems()' clauses. */
  static privilegedRole(problems: string[]): AuditException {
    return new AuditException(
      AuditErrorCode.AUDIT_ROLE_PRIVILEGED,
      `Refusing to start: the database role could rewrite the audit trail: ${problems.join('; ')}. ` +
        'Run the hub as a role without these rights and migrations as the owner (docs/data-protection.md, "Production roles"), ' +
        'or set AUDIT_ALLOW_PRIVILEGED_ROLE=true to start anyway, logged and audited at every start',
      { problems },
    );
  }

  static badRequest(message: string): AuditException {
    return new AuditException(AuditErrorCode.AUDIT_BAD_REQUEST, message);
  }
}
