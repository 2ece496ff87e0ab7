import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access control: organisations, the purposes catalogue, versioned data-sharing agreements, consent,
 * objections and restrictions, case assignments and break-glass grants. Agreement versions are immutable
 * (a trigger refuses to rewrite one), and so are consent records: a change is a new row.
 */
export class AccessControl1763803000000 implements MigrationInterface {
  name = 'AccessControl1763803000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table organisation (
        id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text not null check (length(name) between 1 and 200),
        kind text not null check (kind in ('council', 'nhs', 'police', 'housing-association', 'voluntary', 'other')),
        created_by text not null,
        created_at timestamptz not null default now()
      )`);
    await q.query(`
      create table purpose (
        code text primary key check (code ~ '^[A-Z][A-Z0-9_]{1,62}$'),
        name text not null,
        description text not null,
        active boolean not null default true
      )`);
    await q.query(`
      insert into purpose (code, name, description) values
        ('EARLY_HELP', 'Early help', 'Co-ordinated support for a family before needs escalate (Children Act 2004 s.10 co-operation).'),
        ('SAFEGUARDING', 'Safeguarding', 'Protecting a child or adult at risk of harm (Children Act 1989 s.47, Care Act 2014 s.42).'),
        ('HOUSING_NEED', 'Housing need', 'Preventing or relieving homelessness and assessing housing need (Housing Act 1996 Part 7).'),
        ('BENEFIT_ELIGIBILITY', 'Benefit eligibility', 'Checking entitlement to benefits, reductions and support schemes.'),
        ('TELL_US_ONCE', 'Tell Us Once', 'Passing on a death, birth or change of circumstances so the person is told once.'),
        ('DATA_QUALITY', 'Data quality', 'Reviewing and correcting the identity index (matches, duplicates).')`);
    await q.query(`
      create table data_sharing_agreement (
        id text not null check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        version integer not null check (version > 0),
        title text not null check (length(title) between 1 and 300),
        parties text[] not null check (cardinality(parties) > 0),
        purposes text[] not null check (cardinality(purposes) > 0),
        lawful_basis text not null check (lawful_basis in ('CONSENT', 'CONTRACT', 'LEGAL_OBLIGATION', 'VITAL_INTERESTS', 'PUBLIC_TASK', 'LEGITIMATE_INTERESTS')),
        special_category_article9 text check (special_category_article9 ~ '^[a-j]$'),
        special_category_schedule1_paragraph integer check (special_category_schedule1_paragraph between 1 and 37),
        releases jsonb not null,
        roles text[] not null check (cardinality(roles) > 0),
        case_reference_required boolean not null,
        valid_from timestamptz not null,
        valid_to timestamptz check (valid_to is null or valid_to > valid_from),
        review_date date not null,
        status text not null check (status in ('draft', 'active', 'suspended', 'expired', 'superseded')),
        status_changed_at timestamptz,
        status_changed_by text,
        status_reason text,
        created_by text not null,
        created_at timestamptz not null default now(),
        primary key (id, version)
      )`);
    await q.query(
      `create unique index data_sharing_agreement_one_active on data_sharing_agreement (id) where status = 'active'`,
    );
    await q.query(`create index data_sharing_agreement_parties on data_sharing_agreement using gin (parties)`);
    await q.query(`
      create function data_sharing_agreement_immutable() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'data-sharing agreement versions are never deleted (% v%)', old.id, old.version;
        end if;
        if (new.id, new.version, new.title, new.parties, new.purposes, new.lawful_basis, new.special_category_article9,
            new.special_category_schedule1_paragraph, new.releases, new.roles, new.case_reference_required, new.valid_from,
            new.valid_to, new.review_date, new.created_by, new.created_at)
           is distinct from
           (old.id, old.version, old.title, old.parties, old.purposes, old.lawful_basis, old.special_category_article9,
            old.special_category_schedule1_paragraph, old.releases, old.roles, old.case_reference_required, old.valid_from,
            old.valid_to, old.review_date, old.created_by, old.created_at) then
          raise exception 'data-sharing agreement % v% is immutable: create a new version', old.id, old.version;
        end if;
        return new;
      end $$`);
    await q.query(`
      create trigger data_sharing_agreement_immutable before update or delete on data_sharing_agreement
      for each row execute function data_sharing_agreement_immutable()`);
    await q.query(`
      create table consent (
        id uuid primary key default gen_random_uuid(),
        person_id uuid not null,
        status text not null check (status in ('given', 'refused', 'withdrawn')),
        purpose text references purpose (code),
        recipient_organisation text references organisation (id),
        source text check (source ~ '^[a-z][a-z0-9-]{0,62}$'),
        evidence text not null check (length(evidence) between 1 and 2000),
        recorded_by text not null,
        recorded_at timestamptz not null default now(),
        valid_from timestamptz not null,
        valid_to timestamptz check (valid_to is null or valid_to > valid_from)
      )`);
    await q.query(`create index consent_person on consent (person_id, recorded_at desc)`);
    await q.query(`
      create function consent_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'consent records are never changed: record a new one (withdrawn, refused or given)';
      end $$`);
    await q.query(
      `create trigger consent_immutable before update on consent for each row execute function consent_immutable()`,
    );
    await q.query(`
      create table objection (
        id uuid primary key default gen_random_uuid(),
        person_id uuid not null,
        kind text not null check (kind in ('objection', 'restriction')),
        purpose text references purpose (code),
        recipient_organisation text references organisation (id),
        source text check (source ~ '^[a-z][a-z0-9-]{0,62}$'),
        reason text not null check (length(reason) between 1 and 2000),
        recorded_by text not null,
        recorded_at timestamptz not null default now(),
        valid_from timestamptz not null,
        lifted_at timestamptz,
        lifted_by text,
        lifted_reason text,
        check ((lifted_at is null) = (lifted_by is null))
      )`);
    await q.query(`create index objection_person on objection (person_id)`);
    await q.query(`
      create table case_assignment (
        id uuid primary key default gen_random_uuid(),
        subject_kind text not null check (subject_kind in ('person', 'household')),
        subject_id uuid not null,
        team text not null check (length(team) between 1 and 100),
        user_subject text,
        valid_from timestamptz not null,
        valid_to timestamptz check (valid_to is null or valid_to > valid_from),
        created_by text not null,
        created_at timestamptz not null default now(),
        ended_by text
      )`);
    await q.query(`create index case_assignment_subject on case_assignment (subject_id)`);
    await q.query(`create index case_assignment_team on case_assignment (team)`);
    await q.query(`
      create table break_glass (
        id uuid primary key default gen_random_uuid(),
        grantee_subject text not null,
        grantee_organisation text not null,
        grantee_team text,
        person_id uuid not null,
        purpose text not null references purpose (code),
        case_reference text,
        reason text not null check (length(reason) between 30 and 2000),
        granted_at timestamptz not null default now(),
        expires_at timestamptz not null check (expires_at > granted_at),
        revoked_at timestamptz,
        review_status text not null default 'pending' check (review_status in ('pending', 'justified', 'not-justified')),
        reviewed_by text,
        reviewed_at timestamptz,
        review_note text
      )`);
    await q.query(`create index break_glass_pending on break_glass (granted_at) where review_status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists break_glass');
    await q.query('drop table if exists case_assignment');
    await q.query('drop table if exists objection');
    await q.query('drop table if exists consent');
    await q.query('drop function if exists consent_immutable cascade');
    await q.query('drop table if exists data_sharing_agreement');
    await q.query('drop function if exists data_sharing_agreement_immutable cascade');
    await q.query('drop table if exists purpose');
    await q.query('drop table if exists organisation');
  }
}
