import type { Request } from 'express';
import { requestIdOf } from '../../common/request-id';
import type { AuditEventInput } from '../../engine/audit-recorder';
import { principalOf } from '../../engine/request-context';
import { addressKey, clientAddress, requestPath } from '../../rate-limit/client-address';
import type { Refusal } from '../../rate-limit/refusal-audit.service';
import { AccessErrorCode, AccessException } from '../../engine/access.exception';
import { PURPOSE_HEADER, refusedHeader } from '../../engine/access-context';

/**
 * The audit event of a request refused for its access context (no purpose, a purpose not in the catalogue,
 * a malformed case reference or break-glass id): who asked, which header was wrong and why. What the
 * header held is not recorded (a client can put anything there, a name included), except a purpose code
 * that is well formed but unknown: a short upper-case code, which tells the DPO what was attempted.
 * Counted per client, so a client looping without a purpose is recorded one by one only up to a budget.
 */
export function contextRefusal(
  req: Request,
  error: AccessException,
  claimedPurpose?: string,
): { event: AuditEventInput; refusal: Refusal } {
  const principal = principalOf(req);
  const client = principal ? `${principal.organisation}/${principal.client ?? principal.subject}` : undefined;
  const header =
    refusedHeader(error) ?? (error.code === AccessErrorCode.INVALID_ACCESS_CONTEXT ? undefined : PURPOSE_HEADER);
  return {
    event: {
      ...(principal ? { actor: principal } : {}),
      operation: 'access.context-refused',
      decision: 'deny',
      reasons: [`${error.code}: ${error.message}`],
      requestId: requestIdOf(req),
      detail: {
        code: error.code,
        ...(header ? { header } : {}),
        path: requestPath(req),
        ...(claimedPurpose ? { claimedPurpose } : {}),
      },
    },
    refusal: {
      key: client ?? addressKey(clientAddress(req)),
      reason: error.code,
      detail: client ? { client } : { address: addressKey(clientAddress(req)) },
    },
  };
}
