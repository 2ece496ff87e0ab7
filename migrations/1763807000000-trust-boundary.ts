import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trust boundary (docs/access-control.md): every audit event names the identity provider (`iss`) and
 * the key (`kid`) that vouched for its actor, and a case assignment belongs to a team *of an organisation*,
 * so a partner's token naming a council team's name holds none of its cases.
 *
 * audit_append() and the purge guard list the content columns, so both are redefined with the two new ones.
 * The new columns enter an event's content hash only when they hold a value (src/audit/audit-content.ts),
 * so every event written before this migration still verifies.
 */
export class TrustBoundary1763807000000 implements MigrationInterface {
  name = 'TrustBoundary1763807000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of upStatements) await queryRunner.query(statement);
    await pinSearchPath(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(appendFunction(contentColumns.filter((column) => !newColumns.includes(column))));
    await queryRunner.query(guardFunction(contentColumns.filter((column) => !newColumns.includes(column))));
    await queryRunner.query('alter table audit_event drop column actor_issuer, drop column actor_key_id');
    await queryRunner.query('drop index if exists case_assignment_team');
    await queryRunner.query('alter table case_assignment drop column organisation');
    await queryRunner.query('create index case_assignment_team on case_assignment (team)');
  }
}

const newColumns = ['actor_issuer', 'actor_key_id'];

/**
 * The audit functions run with their owner's rights. `set search_path from current` gave them
 * `"$user", public`: a role allowed to create a schema named after the owner could put look-alike tables or
 * functions ahead of the real ones. Pin them to the schema they were made in, then pg_temp last.
 */
async function pinSearchPath(queryRunner: QueryRunner): Promise<void> {
  const [{ schema }] = (await queryRunner.query('select current_schema() as schema')) as { schema: string }[];
  const path = `${quoteIdent(schema)}, pg_temp`;
  for (const fn of [
    'audit_append(jsonb)',
    'audit_event_link()',
    'audit_purge(jsonb, bigint)',
    'audit_ensure_partitions(integer)',
  ]) {
    await queryRunner.query(`alter function ${fn} set search_path = ${path}`);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const contentColumns = [
  'decision',
  'actor_subject',
  'actor_organisation',
  'actor_roles',
  'actor_client',
  'actor_team',
  'actor_token_id',
  'actor_issuer',
  'actor_key_id',
  'persons',
  'households',
  'released',
  'withheld',
  'purpose',
  'case_reference',
  'agreement_id',
  'agreement_version',
  'basis',
  'consent_id',
  'relationship_id',
  'break_glass_id',
  'reasons',
  'request_id',
  'detail',
];

// As in migration 1763804000000, with the content columns of today.
const appendFunction = (columns: string[]) => `create or replace function audit_append(events jsonb)
   returns table (event_seq bigint, event_hash text, event_at text)
   language plpgsql security definer set search_path from current as $$
   declare
     head_seq bigint; head_hash text; head_at timestamptz; at timestamptz;
     seqs bigint[] := '{}'; prevs text[] := '{}'; hashes text[] := '{}';
     e jsonb; s bigint; prev text;
   begin
     select c.seq, c.hash, c.at into head_seq, head_hash, head_at from audit_chain_head c where c.id = 1 for update;
     at := greatest(date_trunc('milliseconds', clock_timestamp()), head_at);
     s := head_seq; prev := head_hash;
     for e in select value from jsonb_array_elements(events) loop
       s := s + 1;
       seqs := seqs || s; prevs := prevs || prev;
       prev := audit_header_hash(s, prev, at, e->>'operation', e->>'content_hash');
       hashes := hashes || prev;
     end loop;
     insert into audit_event (seq, occurred_at, operation, ${columns.join(', ')}, content_hash, prev_hash, hash)
       select seqs[x.ord], at, p.operation, ${columns.map((c) => `p.${c}`).join(', ')}, p.content_hash, prevs[x.ord], hashes[x.ord]
       from jsonb_array_elements(events) with ordinality as x(e, ord)
       cross join lateral jsonb_populate_record(null::audit_event, x.e) p
       order by x.ord;
     return query select u.s, u.h, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       from unnest(seqs, hashes) as u(s, h);
   end $$`;

const guardFunction = (
  columns: string[],
) => `create or replace function audit_event_guard() returns trigger language plpgsql as $$
   declare purge_seq bigint;
   begin
     if tg_op = 'UPDATE' and current_setting('hub.audit_purge', true) = 'on'
        and old.purged_by is null and new.purged_by is not null then
       purge_seq := new.purged_by;
       new := old;
       new.purged_by := purge_seq;
       ${columns.map((c) => `new.${c} := null;`).join(' ')}
       return new;
     end if;
     raise exception 'audit trail is append-only: % on % refused', tg_op, tg_table_name
       using errcode = 'insufficient_privilege';
   end $$`;

const upStatements = [
  `alter table audit_event
     add column actor_issuer text check (length(actor_issuer) <= 512),
     add column actor_key_id text check (length(actor_key_id) <= 256)`,
  appendFunction(contentColumns),
  guardFunction(contentColumns),
  // Assignments made before organisations were recorded were all made by the council's administrators.
  `alter table case_assignment add column organisation text not null default 'council'
     check (organisation ~ '^[a-z0-9][a-z0-9-]{0,62}$')`,
  `alter table case_assignment alter column organisation drop default`,
  `drop index if exists case_assignment_team`,
  `create index case_assignment_team on case_assignment (organisation, team)`,
];
