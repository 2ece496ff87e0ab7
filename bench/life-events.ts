// `npm run bench:life-events`: Tell Us Once delivery throughput. 10,000 death notices (BENCH_EVENTS), each
// fanned out to the three sandbox sources and one webhook partner (40,000 deliveries), written in batches as
// the intake's transaction writes them (rows and jobs together) while a hub in this process delivers them
// through its pg-boss workers: signed POSTs over real HTTP to a partner that verifies each signature, and
// the sources' notify. Two phases: the burst (all events written as fast as the intake can; deliveries per
// second from the first commit to the last delivery, target ≥ 500 on this machine, and the end-to-end time,
// row committed → DELIVERED, at p50/p95/p99, which in a burst is mostly the wait in the queue), then a
// steady stream below capacity (BENCH_STEADY_EVENTS at BENCH_STEADY_RATE a second: the end-to-end time
// without a backlog, mostly the idle workers' half-second poll).
// Bounded by BENCH_LIFE_EVENTS_TIMEOUT_S (default 600). Self-contained: its own database, removed afterwards.
//
// The sources: the three sandboxes over HTTP when their adapters take notices (notify), else in-process
// stand-ins that apply each key once (the report says which).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/hub-config';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { HubKeyService } from '../src/keys/hub-key.service';
import { deliveryKey } from '../src/life-events/delivery-plan';
import { DeliveryPayload, LifeEventOutbox } from '../src/life-events/delivery/life-event-outbox';
import { writeBorough } from '../src/sandbox/borough-files';
import { launchSandboxes } from '../src/sandbox/sandbox-launcher';
import { sandboxDefinitions } from '../src/sandbox/sandbox-registry';
import { LifeEventNotice, LifeEventReceipt, SourceAdapter } from '../src/sources/source-adapter';
import { createAdapter } from '../src/sources/source-registry';
import { startWebhookReceiver } from '../test/support/life-event-delivery-fixtures';
import { benchDatabase } from './bench-database';
import { startHub } from './bench-hub';

const events = Number(process.env.BENCH_EVENTS ?? 10_000);
const batch = Number(process.env.BENCH_BATCH ?? 250);
const concurrency = process.env.BENCH_CONCURRENCY ?? '100';
const households = Number(process.env.BENCH_HOUSEHOLDS ?? 1000);
const timeoutMs = Number(process.env.BENCH_LIFE_EVENTS_TIMEOUT_S ?? 600) * 1000;
/** After the burst, events written at a steady rate below capacity: the end-to-end time without a backlog. */
const steadyEvents = Number(process.env.BENCH_STEADY_EVENTS ?? 1000);
const steadyRate = Number(process.env.BENCH_STEADY_RATE ?? 50);
const SOURCES = ['housing', 'benefits', 'social-care'];
const PARTNER = 'nhs-trust';

/** A source that takes notices in this process and applies each key once (when the sandboxes cannot yet). */
function standIn(id: string, applied: Map<string, number>): SourceAdapter {
  const unused = () => Promise.reject(new Error('not used by this benchmark'));
  return {
    describe: () => ({ id, name: id, categories: [] }),
    pullIdentities: unused,
    fetchDetails: unused,
    health: () => Promise.resolve({ status: 'up' }),
    notify: (notice: LifeEventNotice): Promise<LifeEventReceipt> => {
      const seen = applied.has(notice.idempotencyKey);
      applied.set(notice.idempotencyKey, (applied.get(notice.idempotencyKey) ?? 0) + 1);
      return Promise.resolve({ outcome: seen ? 'already-applied' : 'applied' });
    },
  };
}

/** Up to `want` source keys of one sandbox, from its identity feed. */
async function sourceKeys(adapter: SourceAdapter, want: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await adapter.pullIdentities(cursor);
    keys.push(...page.records.filter((r) => !r.deleted).map((r) => r.sourceKey));
    if (page.complete || keys.length >= want) return keys.slice(0, want);
    cursor = page.nextCursor;
  }
}

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-life-events-'));
  let launched: Awaited<ReturnType<typeof launchSandboxes>> | undefined;
  let app: INestApplication | undefined;
  let runtime: DatabaseRuntime | undefined;
  const partner = await startWebhookReceiver();
  try {
    // The sources: the sandboxes when every one takes notices, else stand-ins.
    await writeBorough(dir, { households, seed: 'bench-life-events' }, sandboxDefinitions);
    launched = await launchSandboxes(sandboxDefinitions, { dir, pageSize: 500 });
    const real = new Map(launched.connections.map((c) => [c.id, createAdapter(c)]));
    const sandboxesNotify = SOURCES.every((id) => typeof real.get(id)?.notify === 'function');
    const standInApplied = new Map<string, number>();
    const adapters = new Map<string, SourceAdapter>(
      SOURCES.map((id) => [id, sandboxesNotify ? real.get(id)! : standIn(id, standInApplied)]),
    );
    const keys = new Map<string, string[]>();
    for (const id of SOURCES)
      keys.set(id, sandboxesNotify ? await sourceKeys(real.get(id)!, events) : [`${id.toUpperCase()}-1`]);
    if (!sandboxesNotify) {
      await launched.close();
      launched = undefined;
    }

    const url = (db.dataSource.options as { url: string }).url;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      HUB_DATA_DIR: join(dir, 'hub'),
      LIFE_EVENT_DELIVERY_WORKERS: 'on',
      LIFE_EVENT_DELIVERY_CONCURRENCY: concurrency,
      LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: '1',
    });
    runtime = await DatabaseRuntime.open(config);
    app = await startHub(config, runtime, {
      configuredIds: () => [...adapters.keys()],
      adapters: async () => adapters,
      adapter: async (id: string) => adapters.get(id)!,
    });
    partner.setKey(await app.get(HubKeyService).publicJwk());
    const outbox = app.get(LifeEventOutbox);
    const dataSource = app.get(DataSource);
    await dataSource.query(
      `insert into organisation (id, name, kind, created_by) values ('council', 'Council', 'council', 'bench'), ($1, $1, 'nhs', 'bench') on conflict do nothing`,
      [PARTNER],
    );
    await dataSource.query(
      `insert into life_event_subscription (recipient_kind, recipient, organisation, event_type, webhook_url, created_by)
       values ('partner', $1, $1, 'DEATH', $2, 'bench')`,
      [PARTNER, partner.url],
    );

    const perEvent = SOURCES.length + 1;
    const total = events * perEvent;
    const started = Date.now();
    const deadline = started + timeoutMs;
    const settle = async (expected: number) => {
      let done = 0;
      while (done < expected) {
        if (Date.now() > deadline) throw new Error(`only ${done} of ${expected} settled within ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        done = Number(
          (await dataSource.query(`select count(*)::int as n from life_event_delivery where status <> 'PENDING'`))[0].n,
        );
      }
    };
    // 1. The burst: every event written as fast as the intake can, delivered meanwhile.
    for (let from = 0; from < events; from += batch) {
      await writeBatch(dataSource, outbox, from, Math.min(batch, events - from), keys);
    }
    const writtenMs = Date.now() - started;
    await settle(total);
    const burst = await measure(dataSource);
    // 2. Steady: one event at a time at steadyRate a second (each its own transaction, as the intake).
    const steadyFrom = new Date();
    const tick = 1000 / steadyRate;
    const steadyStarted = Date.now();
    for (let i = 0; i < steadyEvents; i++) {
      await writeBatch(dataSource, outbox, events + i, 1, keys);
      const wait = steadyStarted + (i + 1) * tick - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await settle(total + steadyEvents * perEvent);
    const steady = await measure(dataSource, steadyFrom);
    const audited = Number(
      (await dataSource.query(`select count(*)::int as n from audit_event where operation = 'life-event.delivered'`))[0]
        .n,
    );
    const partnerRepeats = partner.received.length - partner.applied.size;
    const lines = [
      {
        benchmark: 'life-events',
        events,
        deliveries: total,
        recipients: [...SOURCES, PARTNER],
        sources: sandboxesNotify
          ? 'sandboxes (HTTP notify)'
          : 'in-process stand-ins (the sandboxes take no notices yet)',
        partner: 'webhook over HTTP, signature verified',
        concurrency: Number(concurrency),
        database: db.kind,
      },
      {
        phase: 'burst',
        writeMs: writtenMs,
        delivered: burst.delivered,
        notDelivered: burst.notDelivered,
        deliveriesPerSecond: Math.round(burst.delivered / burst.seconds),
        endToEndMs: burst.endToEndMs,
        maxAttempts: burst.maxAttempts,
        target: '>= 500 deliveries/s',
      },
      {
        phase: 'steady',
        events: steadyEvents,
        eventsPerSecond: steadyRate,
        delivered: steady.delivered,
        notDelivered: steady.notDelivered,
        endToEndMs: steady.endToEndMs,
      },
      {
        audited,
        partnerVerified: partner.received.filter((r) => r.verified).length,
        partnerRepeats,
      },
    ];
    process.stdout.write(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    if (burst.notDelivered + steady.notDelivered > 0 || audited !== total + steadyEvents * perEvent)
      process.exitCode = 1;
  } finally {
    await app?.close();
    await runtime?.close();
    await launched?.close();
    await partner.close();
    if (db.dataSource.isInitialized) await db.dataSource.destroy();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deliveries made from rows written since `from` (all when absent): rate and end-to-end percentiles. */
async function measure(dataSource: DataSource, from?: Date) {
  const [stats] = (await dataSource.query(
    `
      select count(*) filter (where status = 'DELIVERED')::int as delivered,
             count(*) filter (where status <> 'DELIVERED')::int as "notDelivered",
             extract(epoch from max(delivered_at) - min(created_at))::float as seconds,
             percentile_cont(0.5) within group (order by extract(epoch from delivered_at - created_at))::float as p50,
             percentile_cont(0.95) within group (order by extract(epoch from delivered_at - created_at))::float as p95,
             percentile_cont(0.99) within group (order by extract(epoch from delivered_at - created_at))::float as p99,
             max(attempts)::int as "maxAttempts"
      from life_event_delivery where created_at >= $1`,
    [from ?? new Date(0)],
  )) as {
    delivered: number;
    notDelivered: number;
    seconds: number;
    p50: number;
    p95: number;
    p99: number;
    maxAttempts: number;
  }[];
  return {
    ...stats,
    endToEndMs: {
      p50: Math.round(stats.p50 * 1000),
      p95: Math.round(stats.p95 * 1000),
      p99: Math.round(stats.p99 * 1000),
    },
  };
}

/** `count` accepted deaths and their four NOTICE rows, with their jobs, in one transaction (as the intake). */
async function writeBatch(
  dataSource: DataSource,
  outbox: LifeEventOutbox,
  from: number,
  count: number,
  keys: Map<string, string[]>,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await manager.query(
      `insert into life_event (id, type, status, occurred_on, evidence_reference, report, reported_by)
       select id, 'DEATH', 'ACCEPTED', date '2026-11-30', 'BENCH-' || id, '{}'::jsonb, '{"subject":"bench"}'::jsonb
       from unnest($1::uuid[]) as id`,
      [ids],
    );
    const rows: unknown[][] = [];
    ids.forEach((eventId, i) => {
      const released = { 'hub.lifeEvent.type': 'DEATH', 'hub.lifeEvent.date': '2026-11-30' };
      for (const source of SOURCES) {
        const known = keys.get(source)!;
        const payload: DeliveryPayload = {
          eventId,
          type: 'DEATH',
          released,
          sourceKeys: [known[(from + i) % known.length]],
        };
        rows.push([eventId, 'source', source, 'council', payload, deliveryKey(eventId, 'notice', `source:${source}`)]);
      }
      const payload: DeliveryPayload = { eventId, type: 'DEATH', released };
      rows.push([eventId, 'partner', PARTNER, PARTNER, payload, deliveryKey(eventId, 'notice', `partner:${PARTNER}`)]);
    });
    const inserted = (await manager.query(
      `insert into life_event_delivery (event_id, kind, recipient_kind, recipient, organisation, agreement_id,
         agreement_version, fields, payload, idempotency_key)
       select r.event_id, 'NOTICE', r.recipient_kind, r.recipient, r.organisation, 'tell-us-once', 1,
              array['hub.lifeEvent.date', 'hub.lifeEvent.type'], r.payload, r.idempotency_key
       from jsonb_to_recordset($1::jsonb) as r(event_id uuid, recipient_kind text, recipient text, organisation text,
                                               payload jsonb, idempotency_key text)
       returning id`,
      [
        JSON.stringify(
          rows.map(([event_id, recipient_kind, recipient, organisation, payload, idempotency_key]) => ({
            event_id,
            recipient_kind,
            recipient,
            organisation,
            payload,
            idempotency_key,
          })),
        ),
      ],
    )) as { id: string }[];
    await outbox.enqueue(
      manager,
      inserted.map((row) => row.id),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:life-events failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
