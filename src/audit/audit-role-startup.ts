import { INestApplicationContext, Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { Principal } from '../engine/principal';
import type { AppConfig } from '../config/config';
import { AuditRecorder } from '../engine/audit-recorder';
import { AuditRoleProblem, auditRoleProblems, readAuditRoleFacts } from './audit-role-check';
import { AuditException } from './audit.exception';

/** A production start on a role that could rewrite the trail, let through by AUDIT_ALLOW_PRIVILEGED_ROLE. */
export interface PrivilegedStart {
  role: string;
  problems: AuditRoleProblem[];
}

/** The hub itself, starting: no person asked for it. */
export const HUB_START_ACTOR: Principal = { subject: 'system:start', organisation: 'hub', roles: [] };

export const PRIVILEGED_START_OPERATION = 'hub.start.privileged-role';

/**
 * Run before the application is built, because building it runs the migrations: a role refused here has
 * changed nothing. Outside production it does nothing (the embedded server and the test server connect
 * as superusers). Throws AuditException `AUDIT_ROLE_PRIVILEGED` (its message is the one start-up line)
 * unless the setting lets the start through; then returns what to warn about and audit.
 */
export async function checkAuditRoleAtStart(
  config: AppConfig,
  databaseUrl: string,
): Promise<PrivilegedStart | undefined> {
  if (config.nodeEnv !== 'production') return undefined;
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  let facts;
  try {
    await client.connect();
    facts = await readAuditRoleFacts(client);
  } finally {
    await client.end().catch(() => undefined);
  }
  const problems = auditRoleProblems(facts);
  if (!problems.length) return undefined;
  if (!config.audit.allowPrivilegedRole) throw AuditException.privilegedRole(problems.map((problem) => problem.text));
  return { role: facts.role, problems };
}

/**
 * Once the application (and the trail) is up: a warning and an audit event at every such start, so the
 * exception is never silent and the DPO sees it in the trail. Throws when the event cannot be written,
 * and the start fails: the trail is fail closed here as everywhere.
 */
export async function recordPrivilegedStart(app: INestApplicationContext, start: PrivilegedStart): Promise<void> {
  const texts = start.problems.map((problem) => problem.text);
  new Logger('Audit').warn(
    `Started with AUDIT_ALLOW_PRIVILEGED_ROLE=true although ${texts.join('; ')}: the audit trail is not protected from this role`,
  );
  await app.get(AuditRecorder).record({
    actor: HUB_START_ACTOR,
    operation: PRIVILEGED_START_OPERATION,
    decision: 'change',
    reasons: start.problems.map((problem) => problem.code),
    detail: { setting: 'AUDIT_ALLOW_PRIVILEGED_ROLE', role: start.role, problems: texts },
  });
}
