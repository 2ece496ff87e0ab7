/**
 * Whether the hub's database role could rewrite the audit trail behind the triggers' back. The triggers
 * that keep the trail append-only bind every role except those that can switch them off or replace them:
 * a superuser; the owner of the audit tables or of their trigger functions (ALTER TABLE ... DISABLE
 * TRIGGER, CREATE OR REPLACE FUNCTION); a role that may set `session_replication_role` (`replica` skips
 * ordinary triggers); the owner of the tables' schema, who may drop them. BYPASSRLS is refused with them:
 * no table uses row-level security today, but a hub role that ignores it would void any policy added
 * later. Each holds whether the role has the right itself or can `SET ROLE` to a role that has it, so
 * membership counts as holding it.
 */

/** What the database says about the connected role; read by `readAuditRoleFacts`. */
export interface AuditRoleFacts {
  /** The role the hub connected as. */
  role: string;
  /** `server_version_num`, e.g. 150020. */
  serverVersion: number;
  /** Whether `audit_event` exists on the search path (the audit migration has run). */
  trailFound: boolean;
  /** Each list holds the roles the connected role is or can become (itself included) that give the right. */
  superusers: string[];
  bypassRls: string[];
  /** Owners of the audit tables, their partitions and the audit functions. */
  auditOwners: string[];
  /** Owners of the schema that holds the audit tables (`pg_database_owner` for a database's owner). */
  schemaOwners: string[];
  schema: string | null;
  /** Roles that may set `session_replication_role` (PostgreSQL 15+ grants; superusers before that). */
  replicationRoleSetters: string[];
}

export type AuditRoleProblemCode =
  'superuser' | 'trail-missing' | 'owner' | 'schema-owner' | 'replication-role' | 'bypass-rls';

export interface AuditRoleProblem {
  code: AuditRoleProblemCode;
  /** One clause, fit to join into the one start-up line. */
  text: string;
}

/** A pg `Client` or `Pool`, or anything else that runs a query and returns its rows. */
export interface Queryable {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}

// Objects named audit_* beside audit_event: the tables and partitions, and the functions the triggers call.
const factsSql = `
  with reach as (
    select r.oid, r.rolname, r.rolsuper, r.rolbypassrls from pg_roles r where pg_has_role(current_user, r.oid, 'MEMBER')
  ), trail as (
    select c.oid, c.relnamespace from pg_class c where c.oid = to_regclass('audit_event')
  ), audit_owner as (
    select c.relowner as owner from pg_class c join trail t on c.relnamespace = t.relnamespace
    where c.relname like 'audit\\_%' and c.relkind in ('r', 'p')
    union
    select p.proowner from pg_proc p join trail t on p.pronamespace = t.relnamespace where p.proname like 'audit\\_%'
  )
  select current_user as role,
    current_setting('server_version_num')::int as server_version,
    exists (select 1 from trail) as trail_found,
    array(select rolname::text from reach where rolsuper order by rolname) as superusers,
    array(select rolname::text from reach where rolbypassrls order by rolname) as bypass_rls,
    array(select r.rolname::text from reach r where r.oid in (select owner from audit_owner) order by r.rolname) as audit_owners,
    array(select r.rolname::text from reach r join pg_namespace n on n.nspowner = r.oid join trail t on t.relnamespace = n.oid) as schema_owners,
    (select n.nspname::text from pg_namespace n join trail t on t.relnamespace = n.oid) as schema`;

// has_parameter_privilege() is new in PostgreSQL 15; before it only superusers could set the parameter.
const replicationRoleSql = `
  select array(
    select r.rolname::text from pg_roles r
    where pg_has_role(current_user, r.oid, 'MEMBER') and has_parameter_privilege(r.oid, 'session_replication_role', 'SET')
    order by r.rolname
  ) as setters`;

export async function readAuditRoleFacts(db: Queryable): Promise<AuditRoleFacts> {
  const [row] = (await db.query(factsSql)).rows;
  const serverVersion = Number(row.server_version);
  const superusers = row.superusers as string[];
  const replicationRoleSetters =
    serverVersion >= 150000 ? ((await db.query(replicationRoleSql)).rows[0].setters as string[]) : superusers;
  return {
    role: String(row.role),
    serverVersion,
    trailFound: Boolean(row.trail_found),
    superusers,
    bypassRls: row.bypass_rls as string[],
    auditOwners: row.audit_owners as string[],
    schemaOwners: row.schema_owners as string[],
    schema: (row.schema as string | null) ?? null,
    replicationRoleSetters,
  };
}

/** What is wrong with running the hub as this role; empty when nothing is. */
export function auditRoleProblems(facts: AuditRoleFacts): AuditRoleProblem[] {
  const { role } = facts;
  const quoted = (names: string[]) => names.map((name) => `"${name}"`).join(', ');
  // "is X" when the role holds the right itself, "can become X" when only through membership.
  const holder = (names: string[], what: string) =>
    names.includes(role)
      ? `"${role}" ${what}`
      : `"${role}" can become ${quoted(names)}, ${names.length > 1 ? 'each of which' : 'which'} ${what}`;
  if (facts.superusers.length) {
    // A superuser can do everything below; naming the rest would only lengthen the line.
    const text = facts.superusers.includes(role)
      ? `"${role}" is a superuser`
      : `"${role}" can become superuser ${quoted(facts.superusers)}`;
    return [{ code: 'superuser', text }];
  }
  const problems: AuditRoleProblem[] = [];
  if (!facts.trailFound) {
    problems.push({
      code: 'trail-missing',
      text: `the audit tables do not exist yet, so the hub's migrations would create them owned by "${role}"`,
    });
  }
  if (facts.auditOwners.length) {
    problems.push({
      code: 'owner',
      text: holder(facts.auditOwners, 'owns the audit tables and functions (can disable or replace their triggers)'),
    });
  }
  if (facts.schemaOwners.length) {
    problems.push({
      code: 'schema-owner',
      text: holder(facts.schemaOwners, `owns schema "${facts.schema}" holding the audit tables (can drop them)`),
    });
  }
  if (facts.replicationRoleSetters.length) {
    problems.push({
      code: 'replication-role',
      text: holder(
        facts.replicationRoleSetters,
        'may set session_replication_role (replica switches the audit triggers off)',
      ),
    });
  }
  if (facts.bypassRls.length) {
    problems.push({ code: 'bypass-rls', text: holder(facts.bypassRls, 'has BYPASSRLS') });
  }
  return problems;
}
