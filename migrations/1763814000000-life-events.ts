import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tell Us Once (#18): the events reported once, who subscribes to which type, the transactional outbox of
 * deliveries (one row per recipient and kind, written in the same transaction as the event and its audit
 * events; its pg-boss job too), and the alerts to the teams and users holding the person's case.
 * The golden identity gains the date of death a reported death sets (`hub.identity.dateOfDeath`).
 */
export class LifeEvents1763814000000 implements MigrationInterface {
  name = 'LifeEvents1763814000000';

  async up(q: QueryRunner): Promise<void> {
    const types = `'DEATH', 'BIRTH', 'CHANGE_OF_ADDRESS', 'CHANGE_OF_NAME'`;
    await q.query(`alter table person add column date_of_death date`);
    await q.query(`
      create table life_event (
        id uuid primary key default gen_random_uuid(),
        type text not null check (type in (${types})),
        status text not null check (status in ('AWAITING_MATCH', 'ACCEPTED', 'WITHDRAWN', 'REJECTED')),
        person_id uuid references person (id),
        occurred_on date not null,
        evidence_reference text not null check (length(evidence_reference) between 1 and 200),
        report jsonb not null,
        same_event_key text,
        match_review jsonb,
        reported_by jsonb not null,
        reported_at timestamptz not null default now(),
        decided_by jsonb,
        decided_at timestamptz,
        withdrawn_by jsonb,
        withdrawn_at timestamptz,
        withdrawal_reason text check (length(withdrawal_reason) between 1 and 2000),
        updated_at timestamptz not null default now(),
        constraint life_event_withdrawn check ((status = 'WITHDRAWN') = (withdrawn_at is not null))
      )`);
    // A repeat (same type, person and date; or the same evidence) finds the first report; a withdrawn one
    // no longer counts, so a corrected report can follow it.
    await q.query(
      `create unique index life_event_same_event on life_event (same_event_key) where status <> 'WITHDRAWN' and same_event_key is not null`,
    );
    await q.query(
      `create unique index life_event_same_evidence on life_event (evidence_reference) where status <> 'WITHDRAWN'`,
    );
    await q.query(`create index life_event_person on life_event (person_id)`);
    await q.query(`create index life_event_reported_at on life_event (reported_at desc, id)`);
    await q.query(`
      create table life_event_subscription (
        id uuid primary key default gen_random_uuid(),
        recipient_kind text not null check (recipient_kind in ('source', 'partner')),
        recipient text not null check (recipient ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        organisation text not null references organisation (id),
        event_type text not null check (event_type in (${types})),
        webhook_url text check (length(webhook_url) <= 2000),
        active boolean not null default true,
        created_by text not null,
        created_at timestamptz not null default now(),
        unique (recipient_kind, recipient, event_type),
        constraint life_event_subscription_webhook check ((recipient_kind = 'partner') = (webhook_url is not null))
      )`);
    await q.query(`
      create table life_event_delivery (
        id uuid primary key default gen_random_uuid(),
        event_id uuid not null references life_event (id),
        kind text not null check (kind in ('NOTICE', 'RETRACTION')),
        recipient_kind text not null check (recipient_kind in ('source', 'partner')),
        recipient text not null,
        organisation text not null,
        agreement_id text not null,
        agreement_version integer not null,
        fields text[] not null,
        payload jsonb not null,
        idempotency_key text not null unique,
        status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'DEAD', 'CANCELLED')),
        outcome text,
        attempts integer not null default 0,
        last_error text,
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz not null default now(),
        unique (event_id, kind, recipient_kind, recipient)
      )`);
    await q.query(`create index life_event_delivery_status on life_event_delivery (status, created_at)`);
    await q.query(`
      create table life_event_notification (
        id bigserial primary key,
        event_id uuid not null references life_event (id),
        person_id uuid not null references person (id),
        organisation text not null,
        team text not null,
        user_subject text,
        created_at timestamptz not null default now(),
        read_at timestamptz
      )`);
    await q.query(
      `create unique index life_event_notification_once on life_event_notification (event_id, organisation, team, coalesce(user_subject, ''))`,
    );
    await q.query(
      `create index life_event_notification_team on life_event_notification (organisation, team, created_at desc)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table life_event_notification`);
    await q.query(`drop table life_event_delivery`);
    await q.query(`drop table life_event_subscription`);
    await q.query(`drop table life_event`);
    await q.query(`alter table person drop column date_of_death`);
  }
}
