import 'reflect-metadata';
import { AuditActivityService } from '../src/audit/dpo/audit-activity.service';
import { DISCLOSURE_DECISIONS } from '../src/audit/dpo/audit-search.service';
import { benchDatabase } from './bench-database';
import { median } from '../src/audit/dpo/audit-anomaly.service';

/**
 * `npm run bench:activity`: the DPO's accesses over time (`auditActivity`) on a large trail. Writes
 * BENCH_ACTIVITY_EVENTS events (default 400,000) spread evenly over the last 400 days, a mix of disclosures
 * and events that are not, then times the count for 7, 30, 90 and 366 days (five runs each) and prints the
 * plans. The rows are written in one statement with the trail's triggers off (the chain is not what is
 * measured here; test/e2e/dpo-activity.e2e-spec.ts writes a valid one). Runs on TEST_DATABASE_URL's server,
 * or the embedded one, in a database of its own that it drops afterwards. Prints one JSON document.
 */
const EVENTS = Number(process.env.BENCH_ACTIVITY_EVENTS ?? 400_000);
const DAY_SECONDS = 86_400;

async function main() {
  const db = await benchDatabase();
  try {
    await db.dataSource.transaction(async (m) => {
      await m.query('set local session_replication_role = replica');
      await m.query(
        `insert into audit_event (seq, occurred_at, operation, decision, actor_organisation, purpose, persons, households, content_hash, prev_hash, hash)
         select g, now() - (($1 - g) * make_interval(secs => $2)),
           case when g % 10 = 0 then 'dpo.search' when g % 7 = 0 then 'auth.failure' else 'person.view' end,
           case when g % 5 = 0 then 'deny' else 'allow' end,
           (array['council','nhs-trust','police','school'])[1 + g % 4],
           (array['EARLY_HELP','HOUSING_NEED','SAFEGUARDING'])[1 + g % 3],
           case when g % 7 = 0 then '{}'::text[] else array['p-' || (g % 5000)] end,
           case when g % 3 = 0 then array['h-' || (g % 900)] else '{}'::text[] end,
           repeat('a', 64), repeat('a', 64), repeat('a', 64)
         from generate_series(1, $1::int) g`,
        [EVENTS, (400 * DAY_SECONDS) / EVENTS],
      );
    });
    await db.dataSource.query('analyze audit_event');
    const service = new AuditActivityService(db.dataSource);
    const windows = [];
    for (const days of [7, 30, 90, 366]) {
      const times: number[] = [];
      let disclosures = 0;
      for (let i = 0; i < 5; i++) {
        const start = process.hrtime.bigint();
        disclosures = (await service.activity({ days })).disclosures;
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      const now = new Date();
      const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      const plan: { 'QUERY PLAN': string }[] = await db.dataSource.query(
        `explain select count(*) from audit_event where occurred_at >= $1 and occurred_at < $2
           and decision = any($3) and not starts_with(operation, 'dpo.')
           and (cardinality(persons) > 0 or cardinality(households) > 0)`,
        [new Date(to - days * DAY_SECONDS * 1000), new Date(to), DISCLOSURE_DECISIONS],
      );
      windows.push({
        days,
        disclosures,
        medianMs: Math.round(median(times) * 10) / 10,
        runsMs: times.map((t) => Math.round(t)),
        scans: plan.map((p) => p['QUERY PLAN'].trim()).filter((line) => /Scan/.test(line)),
      });
    }
    process.stdout.write(`${JSON.stringify({ database: db.kind, events: EVENTS, windows }, null, 2)}\n`);
  } finally {
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:activity failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
