import { userInfo } from 'node:os';
import type { Principal } from '../../engine/principal';
import type { AuditEventInput } from '../../engine/audit-recorder';

/** The purpose every DPO query is recorded under: oversight of the hub's processing. */
export const DPO_PURPOSE = 'data-protection-oversight';

/**
 * The audit event for a DPO's own look at the trail (`dpo.*`): the trail records who examined it too.
 * Written before the answer is returned, so an unrecorded look returns nothing.
 */
export function dpoEvent(
  actor: Principal,
  operation: string,
  options: { persons?: string[]; detail?: Record<string, unknown>; requestId?: string } = {},
): AuditEventInput {
  return {
    actor,
    operation: `dpo.${operation}`,
    subjects: options.persons?.length ? { persons: options.persons } : undefined,
    purpose: DPO_PURPOSE,
    decision: 'allow',
    requestId: options.requestId || undefined,
    detail: options.detail ? withoutUndefined(options.detail) : undefined,
  };
}

/** The actor for work done from the command line: the operator's login, acting for the hub. */
export function cliActor(): Principal {
  let login = 'unknown';
  try {
    login = userInfo().username;
  } catch {
    // No passwd entry (some containers): the hub still records that the CLI acted.
  }
  return { subject: `cli:${login}`, organisation: 'hub', roles: [] };
}

function withoutUndefined(detail: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(detail, (_key, value: unknown) => (value instanceof Date ? value.toISOString() : value)),
  ) as Record<string, unknown>;
}
