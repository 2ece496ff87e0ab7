import type { Request } from 'express';
import { AccessErrorCode, AccessException } from './access.exception';
import { AccessContext } from './policy/decision';

export const PURPOSE_HEADER = 'x-purpose';
export const CASE_REFERENCE_HEADER = 'x-case-reference';
export const BREAK_GLASS_HEADER = 'x-break-glass';

const purposePattern = /^[A-Z][A-Z0-9_]{1,62}$/;
const caseReferencePattern = /^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,63}$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What a client's unset variable turns into when it is interpolated into a header: not a value. */
const unsetPlaceholder = /^(?:undefined|null)$/i;

/**
 * The access context a request declares in its headers. A missing purpose is an error of its own, so a
 * client learns to send one; malformed values are refused rather than trimmed into something else.
 */
export function accessContextFrom(req: Request): AccessContext {
  const purpose = single(req, PURPOSE_HEADER);
  if (purpose === undefined) {
    throw refused(
      AccessErrorCode.PURPOSE_REQUIRED,
      `Say what the data is for: send the ${PURPOSE_HEADER} header with a purpose code`,
      PURPOSE_HEADER,
    );
  }
  if (!purposePattern.test(purpose))
    throw refused(AccessErrorCode.UNKNOWN_PURPOSE, `${PURPOSE_HEADER} is not a purpose code`, PURPOSE_HEADER);
  const caseReference = single(req, CASE_REFERENCE_HEADER);
  if (caseReference !== undefined && !caseReferencePattern.test(caseReference)) {
    throw refused(
      AccessErrorCode.INVALID_ACCESS_CONTEXT,
      `${CASE_REFERENCE_HEADER} must be 1-64 letters, digits and / _ . : -`,
      CASE_REFERENCE_HEADER,
    );
  }
  const breakGlassId = single(req, BREAK_GLASS_HEADER);
  if (breakGlassId !== undefined && !uuid.test(breakGlassId)) {
    throw refused(
      AccessErrorCode.INVALID_ACCESS_CONTEXT,
      `${BREAK_GLASS_HEADER} must be the id of a break-glass grant`,
      BREAK_GLASS_HEADER,
    );
  }
  return { purpose, ...(caseReference ? { caseReference } : {}), ...(breakGlassId ? { breakGlassId } : {}) };
}

/** A case reference as `x-case-reference` takes it: what a break-glass grant names must pass the same rule. */
export const isCaseReference = (value: string): boolean => caseReferencePattern.test(value);

function single(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value))
    throw refused(AccessErrorCode.INVALID_ACCESS_CONTEXT, `${name} was sent more than once`, name);
  const trimmed = value?.trim();
  // Otherwise `x-case-reference: undefined` passes as a case reference and is written to the audit trail.
  return trimmed && !unsetPlaceholder.test(trimmed) ? trimmed : undefined;
}

/**
 * A refusal of a request's access context, naming the header it is about: for the audit trail, which
 * records the header, never what it held.
 */
class AccessContextRefusal extends AccessException {
  constructor(
    code: AccessErrorCode,
    message: string,
    readonly header: string,
  ) {
    super(code, message);
    this.name = AccessException.name;
  }
}

function refused(code: AccessErrorCode, message: string, header: string): AccessException {
  return new AccessContextRefusal(code, message, header);
}

/** The header an access-context refusal is about, when `accessContextFrom` refused it. */
export function refusedHeader(error: AccessException): string | undefined {
  return error instanceof AccessContextRefusal ? error.header : undefined;
}
