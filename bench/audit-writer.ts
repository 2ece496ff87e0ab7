import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AuditEventInput } from '../src/engine/audit-recorder';
import { AuditService } from '../src/audit/audit.service';

/**
 * One writer process: records `--events` audit events on `--url` with `--concurrency` callers at once,
 * through the real AuditService, then prints `{"events":N,"ms":T,"firstSeq":..,"lastSeq":..}`. Used by the
 * two-process test and by `npm run bench:audit` to put several hub processes on one chain.
 */
export async function runWriter(
  url: string,
  events: number,
  concurrency: number,
  barrier?: number,
  tag = String(process.pid),
) {
  const dataSource = new DataSource({ type: 'postgres', url, extra: { max: 8 }, logging: false });
  await dataSource.initialize();
  const audit = new AuditService(dataSource);
  const seqs: number[] = [];
  let next = 0;
  // Waits at a starting line (a shared advisory lock held by whoever started the writers), so that several
  // processes begin together however long each took to start.
  if (barrier !== undefined)
    await dataSource.query('select pg_advisory_lock_shared($1), pg_advisory_unlock_shared($1)', [barrier]);
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < events; i = next++) {
      const receipt = await audit.record(benchEvent(i, tag));
      seqs.push(Number(receipt.seq));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    return {
      events: seqs.length,
      ms: performance.now() - started,
      firstSeq: Math.min(...seqs),
      lastSeq: Math.max(...seqs),
    };
  } finally {
    await audit.beforeApplicationShutdown();
    await dataSource.destroy();
  }
}

/** A representative disclosure: one person, a handful of fields released and withheld. */
export function benchEvent(i: number, tag: string): AuditEventInput {
  return {
    actor: {
      subject: `bench-user-${i % 40}`,
      organisation: i % 3 ? 'council' : 'nhs-trust',
      roles: ['account-manager'] as never,
      client: 'bench',
    },
    operation: 'person.view',
    subjects: { persons: [`bench-person-${i % 5000}`] },
    released: [
      { source: 'hub', field: 'identity.name' },
      { source: 'hub', field: 'identity.dateOfBirth' },
      { source: 'housing', field: 'tenancy.rentArrears' },
    ],
    withheld: [{ source: 'social-care', field: 'involvement.status' }],
    purpose: 'homelessness-prevention',
    caseReference: `CASE-${i % 900}`,
    agreement: { id: 'dsa-housing', version: 2 },
    basis: 'UK GDPR 6(1)(e)',
    justification: { relationshipId: `rel-${i % 900}` },
    decision: 'allow-with-redactions',
    reasons: ['agreement dsa-housing v2'],
    requestId: `${tag}-${i}`,
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      events: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' },
      barrier: { type: 'string' },
    },
  });
  if (!values.url) {
    process.stderr.write(
      'usage: audit-writer --url postgres://... [--events N] [--concurrency C] [--barrier LOCK_KEY]\n',
    );
    process.exit(2);
  }
  runWriter(
    values.url,
    Number(values.events),
    Number(values.concurrency),
    values.barrier === undefined ? undefined : Number(values.barrier),
  )
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    });
}
