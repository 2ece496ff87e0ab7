import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { prepareEvent } from '../../src/audit/audit-content';
import { AuditCheckpointService } from '../../src/audit/audit-checkpoint.service';
import { headerHash } from '../../src/audit/audit-hash';
import { AuditEventInput } from '../../src/engine/audit-recorder';
import { AuditVerifierService } from '../../src/audit/audit-verifier.service';
import { AuditService } from '../../src/audit/audit.service';
import { Role } from '../../src/engine/principal';
import { AppConfig } from '../../src/config/config';
import { loadConfig } from '../../src/hub-config';
import { HubKeyService } from '../../src/keys/hub-key.service';

export interface AuditServices {
  config: AppConfig;
  keys: HubKeyService;
  audit: AuditService;
  checkpoints: AuditCheckpointService;
  verifier: AuditVerifierService;
  close(): Promise<void>;
}

/** The audit services on a test database, wired by hand (no Nest), with a signing key of their own. */
export function auditServices(dataSource: DataSource, env: NodeJS.ProcessEnv = {}): AuditServices {
  const config = loadConfig({
    NODE_ENV: 'test',
    HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-audit-')),
    AUDIT_CHECKPOINT_INTERVAL: '0',
    ...env,
  });
  const keys = new HubKeyService(config);
  const audit = new AuditService(dataSource);
  const checkpoints = new AuditCheckpointService(dataSource, keys, config);
  const verifier = new AuditVerifierService(dataSource, checkpoints);
  return { config, keys, audit, checkpoints, verifier, close: () => audit.beforeApplicationShutdown() };
}

export const PERSON_A = 'p-0000-a';
export const PERSON_B = 'p-0000-b';

/** A disclosure of one person's record, as the single view would write it. */
export function disclosure(i: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    actor: {
      subject: `user-${i % 7}`,
      organisation: i % 2 ? 'council' : 'nhs-trust',
      roles: [Role.AccountManager],
      client: 'web',
      team: 'housing-options',
    },
    operation: 'person.view',
    subjects: { persons: [i % 3 ? PERSON_A : PERSON_B], households: ['h-1'] },
    released: [
      { source: 'hub', field: 'identity.name' },
      { source: 'housing', field: 'tenancy.rentArrears' },
    ],
    withheld: [{ source: 'social-care', field: 'involvement.status' }],
    purpose: 'homelessness-prevention',
    caseReference: `CASE-${i}`,
    agreement: { id: 'dsa-housing-nhs', version: 3 },
    basis: 'UK GDPR 6(1)(e); DPA 2018 Sch 1 para 6',
    justification: { relationshipId: `rel-${i}` },
    decision: 'allow-with-redactions',
    reasons: ['agreement dsa-housing-nhs v3 allows housing fields for this purpose', 'social-care fields need consent'],
    requestId: `req-${i}`,
    detail: { note: 'ünïcödé and "quotes"', n: 1.5, nested: { b: 2, a: [1, null, true] } },
    ...overrides,
  };
}

/** A session as the database's superuser with every trigger off: how an insider would tamper. */
export async function asSuperuserWithoutTriggers<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('set session_replication_role = replica');
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Makes every insert into the audit trail fail, as a full disk or a revoked privilege would; the returned
 * function undoes it. (A trigger on each partition: the trail's own triggers are on the parent.)
 */
export async function breakAuditInserts(dataSource: DataSource): Promise<() => Promise<void>> {
  await dataSource.query(`create or replace function fail_audit() returns trigger language plpgsql as $$
    begin raise exception 'disk full'; end $$`);
  await dataSource.query(`do $$ declare p text; begin
    for p in select inhrelid::regclass::text from pg_inherits where inhparent = 'audit_event'::regclass loop
      execute format('create trigger fail_audit before insert on %s for each row execute function fail_audit()', p);
    end loop; end $$`);
  return async () => {
    await dataSource.query(`do $$ declare p text; begin
      for p in select inhrelid::regclass::text from pg_inherits where inhparent = 'audit_event'::regclass loop
        execute format('drop trigger if exists fail_audit on %s', p);
      end loop; end $$`);
  };
}

/**
 * Events from the past, appended as the chain would have appended them then (the chain takes its time from
 * the database clock, so history cannot be made through the recorder), `batch` rows an insert. The
 * database's own insert check still runs on every statement: links, header hashes and time order must be
 * right, so the chain verifies afterwards. Times must not go backwards, nor before the head's.
 */
export async function appendHistoric(
  dataSource: DataSource,
  events: { input: AuditEventInput; at: Date }[],
  batch = 1_000,
): Promise<void> {
  const [head] = await dataSource.query('select seq, hash from audit_chain_head');
  let seq = Number(head.seq);
  let prev: string = head.hash;
  for (let start = 0; start < events.length; start += batch) {
    const rows = events.slice(start, start + batch).map(({ input, at }) => {
      seq += 1;
      const prepared = prepareEvent(input);
      const hash = headerHash({
        seq,
        prev,
        at: at.toISOString(),
        op: prepared.operation,
        content: prepared.content_hash,
      });
      const row = { ...prepared, seq, occurred_at: at.toISOString(), prev_hash: prev, hash };
      prev = hash;
      return row;
    });
    await dataSource.query(
      `insert into audit_event select * from jsonb_populate_recordset(null::audit_event, $1::jsonb)`,
      [JSON.stringify(rows)],
    );
  }
}
