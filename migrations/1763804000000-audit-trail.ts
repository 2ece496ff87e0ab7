import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: an append-only, hash-chained event table (range-partitioned by month), the chain head,
 * signed checkpoints, and the database functions that are the only way to append to or purge the trail.
 * See docs/data-protection.md for the design; src/audit/audit-hash.ts for the canonical form.
 */
export class AuditTrail1763804000000 implements MigrationInterface {
  name = 'AuditTrail1763804000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of upStatements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of downStatements) await queryRunner.query(statement);
  }
}

const genesis = '0'.repeat(64);
const hex64 = `'^[0-9a-f]{64}$'`;

// The content columns: erased (set to null) by a retention purge; everything else is kept for the chain.
const contentColumns = [
  'decision',
  'actor_subject',
  'actor_organisation',
  'actor_roles',
  'actor_client',
  'actor_team',
  'actor_token_id',
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

const upStatements = [
  `create table audit_chain_head (
     id smallint primary key check (id = 1),
     seq bigint not null check (seq >= 0),
     hash text not null check (hash ~ ${hex64}),
     at timestamptz not null
   )`,
  `insert into audit_chain_head (id, seq, hash, at) values (1, 0, '${genesis}', '-infinity')`,

  `create table audit_event (
     seq bigint not null check (seq > 0),
     occurred_at timestamptz not null,
     operation text not null check (operation ~ '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*$' and length(operation) <= 100),
     decision text check (decision in ('allow', 'allow-with-redactions', 'deny', 'error', 'change')),
     actor_subject text,
     actor_organisation text,
     actor_roles text[],
     actor_client text,
     actor_team text,
     actor_token_id text,
     persons text[],
     households text[],
     released jsonb,
     withheld jsonb,
     purpose text,
     case_reference text,
     agreement_id text,
     agreement_version integer,
     basis text,
     consent_id text,
     relationship_id text,
     break_glass_id text,
     reasons text[],
     request_id text,
     detail jsonb,
     content_hash text not null check (content_hash ~ ${hex64}),
     prev_hash text not null check (prev_hash ~ ${hex64}),
     hash text not null check (hash ~ ${hex64}),
     purged_by bigint,
     check (decision is not null or purged_by is not null),
     primary key (seq, occurred_at)
   ) partition by range (occurred_at)`,
  `create table audit_event_default partition of audit_event default`,
  `create index audit_event_persons_idx on audit_event using gin (persons)`,
  `create index audit_event_households_idx on audit_event using gin (households)`,
  `create index audit_event_actor_idx on audit_event (actor_subject, seq)`,
  `create index audit_event_organisation_idx on audit_event (actor_organisation, seq)`,
  `create index audit_event_operation_idx on audit_event (operation, occurred_at)`,
  `create index audit_event_time_idx on audit_event (occurred_at)`,
  `create index audit_event_break_glass_idx on audit_event (break_glass_id) where break_glass_id is not null`,

  `create table audit_checkpoint (
     id bigserial primary key,
     seq bigint not null check (seq >= 0),
     hash text not null check (hash ~ ${hex64}),
     created_at timestamptz not null default now(),
     reason text not null check (reason in ('periodic', 'manual', 'purge')),
     kid text not null,
     jws text not null,
     unique (seq, reason)
   )`,

  // The header hash: the SQL twin of headerHash() in src/audit/audit-hash.ts. The operation is restricted
  // to [a-z0-9.-] and the time to milliseconds, so this concatenation is exactly its RFC 8785 form.
  `create function audit_header_hash(p_seq bigint, p_prev text, p_at timestamptz, p_op text, p_content text)
   returns text language sql stable parallel safe as $$
     select encode(sha256(convert_to(
       '{"at":"' || to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
       '","content":"' || p_content || '","op":"' || p_op || '","prev":"' || p_prev ||
       '","seq":' || p_seq || ',"v":1}', 'UTF8')), 'hex')
   $$`,

  // Appends a batch: takes the chain head's row lock (so appends from every process are serial), gives
  // each event the next sequence number and one time, chains the hashes, inserts. One statement, so an
  // autocommit call holds the lock for no network round trip at all.
  `create function audit_append(events jsonb)
   returns table (event_seq bigint, event_hash text, event_at text)
   language plpgsql security definer set search_path from current as $$
   declare
     head_seq bigint; head_hash text; head_at timestamptz; at timestamptz;
     seqs bigint[] := '{}'; prevs text[] := '{}'; hashes text[] := '{}';
     e jsonb; s bigint; prev text;
   begin
     select c.seq, c.hash, c.at into head_seq, head_hash, head_at from audit_chain_head c where c.id = 1 for update;
     -- Never earlier than the event before it, so time order and sequence order agree.
     at := greatest(date_trunc('milliseconds', clock_timestamp()), head_at);
     s := head_seq; prev := head_hash;
     for e in select value from jsonb_array_elements(events) loop
       s := s + 1;
       seqs := seqs || s; prevs := prevs || prev;
       prev := audit_header_hash(s, prev, at, e->>'operation', e->>'content_hash');
       hashes := hashes || prev;
     end loop;
     insert into audit_event (seq, occurred_at, operation, ${contentColumns.join(', ')}, content_hash, prev_hash, hash)
       select seqs[x.ord], at, p.operation, ${contentColumns.map((c) => `p.${c}`).join(', ')}, p.content_hash, prevs[x.ord], hashes[x.ord]
       from jsonb_array_elements(events) with ordinality as x(e, ord)
       cross join lateral jsonb_populate_record(null::audit_event, x.e) p
       order by x.ord;
     return query select u.s, u.h, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       from unnest(seqs, hashes) as u(s, h);
   end $$`,

  // The guard every insert passes, whatever path it took: the new rows continue the head without a gap or
  // fork, each header hash is right; then the head moves. (Content hashes are checked by the verifier.)
  `create function audit_event_link() returns trigger
   language plpgsql security definer set search_path from current as $$
   declare head_seq bigint; head_hash text; lo bigint; hi bigint; n bigint; distinct_n bigint; last_at timestamptz;
   begin
     select c.seq, c.hash into head_seq, head_hash from audit_chain_head c where c.id = 1 for update;
     select min(i.seq), max(i.seq), count(*), count(distinct i.seq), max(i.occurred_at)
       into lo, hi, n, distinct_n, last_at from inserted i;
     if n = 0 then return null; end if;
     if lo <> head_seq + 1 or hi - lo + 1 <> n or distinct_n <> n then
       raise exception 'audit chain: events % to % do not continue the head at %', lo, hi, head_seq
         using errcode = 'integrity_constraint_violation';
     end if;
     if exists (
       select 1 from inserted i left join inserted p on p.seq = i.seq - 1
       where i.prev_hash is distinct from (case when i.seq = lo then head_hash else p.hash end)
          or i.hash <> audit_header_hash(i.seq, i.prev_hash, i.occurred_at, i.operation, i.content_hash)
          or (p.seq is not null and p.occurred_at > i.occurred_at)
     ) then
       raise exception 'audit chain: events % to % are not linked to the head', lo, hi
         using errcode = 'integrity_constraint_violation';
     end if;
     update audit_chain_head set seq = hi, hash = (select i.hash from inserted i where i.seq = hi), at = last_at where id = 1;
     return null;
   end $$`,
  `create trigger audit_event_link after insert on audit_event
   referencing new table as inserted for each statement execute function audit_event_link()`,

  // Append-only: no UPDATE or DELETE, except the one update a retention purge makes (erasing an event's
  // content, keeping its hashes), and only while audit_purge() has set its transaction-local flag.
  `create function audit_event_guard() returns trigger language plpgsql as $$
   declare purge_seq bigint;
   begin
     if tg_op = 'UPDATE' and current_setting('hub.audit_purge', true) = 'on'
        and old.purged_by is null and new.purged_by is not null then
       purge_seq := new.purged_by;
       new := old;
       new.purged_by := purge_seq;
       ${contentColumns.map((c) => `new.${c} := null;`).join(' ')}
       return new;
     end if;
     raise exception 'audit trail is append-only: % on % refused', tg_op, tg_table_name
       using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger audit_event_guard before update or delete on audit_event
   for each row execute function audit_event_guard()`,
  // Statement triggers too, so a refused statement is refused even when it matches no row.
  `create function audit_refuse() returns trigger language plpgsql as $$
   begin
     if tg_op = 'UPDATE' and tg_table_name = 'audit_event' and current_setting('hub.audit_purge', true) = 'on' then
       return null;
     end if;
     raise exception 'audit trail is append-only: % on % refused', tg_op, tg_table_name
       using errcode = 'insufficient_privilege';
   end $$`,
  `create trigger audit_event_refuse before update or delete on audit_event for each statement execute function audit_refuse()`,
  `create trigger audit_event_no_truncate before truncate on audit_event for each statement execute function audit_refuse()`,
  `create trigger audit_event_default_no_truncate before truncate on audit_event_default for each statement execute function audit_refuse()`,
  `create trigger audit_checkpoint_guard before update or delete on audit_checkpoint for each statement execute function audit_refuse()`,
  `create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint for each statement execute function audit_refuse()`,
  `create trigger audit_chain_head_guard before delete on audit_chain_head for each statement execute function audit_refuse()`,
  `create trigger audit_chain_head_no_truncate before truncate on audit_chain_head for each statement execute function audit_refuse()`,

  // Retention: erases the content of every event older than its class's retention, recording which purge
  // event (already appended, seq p_purge_seq) did it. Rules: [{ "match": "person.", "days": 2190 }, ...],
  // longest match wins: an exact operation, a prefix ending in '.', or '*'.
  `create function audit_purge(p_rules jsonb, p_purge_seq bigint) returns bigint
   language plpgsql security definer set search_path from current as $$
   declare purged bigint;
   begin
     if not exists (select 1 from audit_event where seq = p_purge_seq and operation = 'audit.purge') then
       raise exception 'audit purge: % is not an audit.purge event', p_purge_seq;
     end if;
     perform set_config('hub.audit_purge', 'on', true);
     with rules as (
       select r.match, r.days from jsonb_to_recordset(p_rules) as r(match text, days integer)
     ), due as (
       select e.seq, e.occurred_at from audit_event e
       where e.purged_by is null and e.seq < p_purge_seq
         and e.occurred_at < now() - make_interval(days => (
           select r.days from rules r
           where r.match = e.operation or r.match = '*'
              or (right(r.match, 1) = '.' and starts_with(e.operation, r.match))
           order by (r.match = '*'), length(r.match) desc limit 1))
     )
     update audit_event e set purged_by = p_purge_seq from due
     where e.seq = due.seq and e.occurred_at = due.occurred_at;
     get diagnostics purged = row_count;
     perform set_config('hub.audit_purge', 'off', true);
     return purged;
   end $$`,

  // Monthly partitions, made ahead of time so the default partition stays empty. Idempotent and safe to
  // race: another process making the same partition is not an error.
  `create function audit_ensure_partitions(p_months_ahead integer) returns integer
   language plpgsql security definer set search_path from current as $$
   declare m date; made integer := 0; part text;
   begin
     for i in 0..greatest(p_months_ahead, 0) loop
       m := (date_trunc('month', now() at time zone 'UTC') + make_interval(months => i))::date;
       part := format('audit_event_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
       if to_regclass(part) is null then
         begin
           execute format('create table %I partition of audit_event for values from (%L) to (%L)', part,
             (m::timestamp at time zone 'UTC'), ((m + interval '1 month')::timestamp at time zone 'UTC'));
           execute format('create trigger %I before truncate on %I for each statement execute function audit_refuse()',
             part || '_no_truncate', part);
           made := made + 1;
         exception when duplicate_table or duplicate_object then null;
           when check_violation then raise warning 'audit: % holds rows for %; partition not made', 'audit_event_default', part;
         end;
       end if;
     end loop;
     return made;
   end $$`,
  `select audit_ensure_partitions(2)`,

  // Production runs the hub as a role that does not own these tables (docs/data-protection.md). This gives
  // such a role exactly what the hub needs: read, append through the functions, checkpoint. Never UPDATE,
  // DELETE or TRUNCATE.
  `create function audit_grant_app_role(p_role name) returns void language plpgsql as $$
   begin
     execute format('revoke all on audit_event, audit_checkpoint, audit_chain_head from %I', p_role);
     execute format('grant select on audit_event, audit_chain_head to %I', p_role);
     execute format('grant select, insert on audit_checkpoint to %I', p_role);
     execute format('grant usage on sequence audit_checkpoint_id_seq to %I', p_role);
     execute format('grant execute on function audit_append(jsonb), audit_ensure_partitions(integer), audit_header_hash(bigint, text, timestamptz, text, text) to %I', p_role);
     execute format('revoke execute on function audit_purge(jsonb, bigint) from %I', p_role);
   end $$`,
  `revoke all on function audit_purge(jsonb, bigint), audit_append(jsonb), audit_ensure_partitions(integer) from public`,
  `revoke update, delete, truncate on audit_event, audit_checkpoint from public`,
];

const downStatements = [
  'drop function if exists audit_grant_app_role(name)',
  'drop function if exists audit_ensure_partitions(integer)',
  'drop function if exists audit_purge(jsonb, bigint)',
  'drop table if exists audit_checkpoint',
  'drop table if exists audit_event',
  'drop table if exists audit_chain_head',
  'drop function if exists audit_append(jsonb)',
  'drop function if exists audit_event_link()',
  'drop function if exists audit_event_guard()',
  'drop function if exists audit_refuse()',
  'drop function if exists audit_header_hash(bigint, text, timestamptz, text, text)',
];
