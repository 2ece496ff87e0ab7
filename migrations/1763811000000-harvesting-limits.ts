import { MigrationInterface, QueryRunner } from 'typeorm';

const immutableColumns = (row: string, extra: boolean) =>
  [
    'id',
    'version',
    'title',
    'parties',
    'purposes',
    'lawful_basis',
    'special_category_article9',
    'special_category_schedule1_paragraph',
    'releases',
    'roles',
    'case_reference_required',
    'valid_from',
    'valid_to',
    'review_date',
    'created_by',
    'created_at',
    ...(extra ? ['expected_daily_volume', 'refuse_above_expected_volume'] : []),
  ]
    .map((column) => `${row}.${column}`)
    .join(', ');

const immutableFunction = (extra: boolean) => `
  create or replace function data_sharing_agreement_immutable() returns trigger language plpgsql as $$
  begin
    if tg_op = 'DELETE' then
      raise exception 'data-sharing agreement versions are never deleted (% v%)', old.id, old.version;
    end if;
    if (${immutableColumns('new', extra)}) is distinct from (${immutableColumns('old', extra)}) then
      raise exception 'data-sharing agreement % v% is immutable: create a new version', old.id, old.version;
    end if;
    return new;
  end $$`;

/**
 * Harvesting limits (#15): an agreement version may state the persons per day a client is expected to be
 * shown (part of the immutable version), and the persons disclosed under each case reference of an
 * organisation are kept for the period they are counted over.
 */
export class HarvestingLimits1763811000000 implements MigrationInterface {
  name = 'HarvestingLimits1763811000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table data_sharing_agreement
        add column expected_daily_volume integer check (expected_daily_volume between 1 and 10000000),
        add column refuse_above_expected_volume boolean not null default false,
        add constraint data_sharing_agreement_refusal_needs_volume check (not refuse_above_expected_volume or expected_daily_volume is not null)`);
    await q.query(immutableFunction(true));
    await q.query(`
      create table case_reference_person (
        organisation text not null,
        case_reference text not null,
        person_id uuid not null,
        first_disclosed_at timestamptz not null default now(),
        last_disclosed_at timestamptz not null default now(),
        primary key (organisation, case_reference, person_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table case_reference_person');
    await q.query(immutableFunction(false));
    await q.query(`
      alter table data_sharing_agreement
        drop constraint data_sharing_agreement_refusal_needs_volume,
        drop column refuse_above_expected_volume,
        drop column expected_daily_volume`);
  }
}
