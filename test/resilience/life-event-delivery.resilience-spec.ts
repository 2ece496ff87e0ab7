import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseRuntime } from '../../src/database/database-runtime';
import { PgBossLifeEventOutbox } from '../../src/life-events/delivery/pg-boss-outbox';
import { createAdapter } from '../../src/sources/source-registry';
import { HubProcess, runBuiltCli, sourcesConfigFile, startHubProcess } from '../support/hub-process';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import {
  deliveryStates,
  insertEvent,
  insertRecipient,
  Recipient,
  startWebhookReceiver,
  waitFor,
  WebhookReceiver,
} from '../support/life-event-delivery-fixtures';
import { Scrape } from '../support/metrics-scrape';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * Life-event delivery across hub processes (the built hub, `npm run build`, as production runs it), with
 * partners' webhook receivers over real HTTP that verify the hub's signature with the key
 * `npm run cli -- audit public-key` prints and apply each idempotency key once:
 * - the hub killed (SIGKILL) mid-delivery and started again: every delivery ends DELIVERED, each recipient
 *   applied each key once, one disclosure audited per delivery; a recipient down meanwhile gets its share;
 * - two hub instances on one database: each delivery is sent once, and both instances deliver.
 * The three sandbox sources are recipients too once their adapters take notices (the sources' side of #18;
 * until then the source path is covered in process by test/integration/life-event-delivery.int-spec.ts):
 * each then applied each key once by its own record (`GET /_sandbox/life-events`).
 */

jest.setTimeout(300_000);

const EVENTS = 100;
const METRICS_TOKEN = 'life-event-delivery-metrics-token-0123456789';
const QUEUE = { attempts: 10, retryDelaySeconds: 1, attemptTimeoutSeconds: 2 };
const SOURCES = ['housing', 'benefits', 'social-care'];
/** Whether every source's adapter takes notices (built without a network: nothing is called). */
const sourcesNotified = SOURCES.every(
  (id) =>
    typeof createAdapter({
      id,
      adapter: id,
      baseUrl: 'http://127.0.0.1:9',
      authHeaders: {},
      timeoutMs: 1000,
      pageSize: 10,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
    }).notify === 'function',
);

interface Applied {
  idempotencyKey: string;
  eventId: string;
  received: number;
}

describe('life-event delivery across hub processes', () => {
  let db: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let outbox: PgBossLifeEventOutbox;
  let sources: SandboxSources | undefined;
  const sourceKeys = new Map<string, string[]>();
  const receivers = new Map<string, WebhookReceiver>();
  const hubs: HubProcess[] = [];
  const partners: Recipient[] = ['nhs-trust', 'police-force', 'fire-service'].map((id) => ({
    kind: 'partner',
    recipient: id,
    organisation: id,
  }));

  const sourceRecipients: Recipient[] = sourcesNotified
    ? SOURCES.map((id) => ({ kind: 'source', recipient: id, organisation: 'council' }))
    : [];
  const recipients = () => [...partners, ...sourceRecipients];
  /** Each source's own key for the i-th person told of (cycling through the records it holds). */
  const keysFor = (i: number) =>
    Object.fromEntries(
      sourceRecipients.map(({ recipient: id }) => [id, [sourceKeys.get(id)![i % sourceKeys.get(id)!.length]]]),
    );
  const count = async (sql: string, params: unknown[] = []) => Number((await db.dataSource.query(sql, params))[0].n);
  const delivered = () => count(`select count(*)::int as n from life_event_delivery where status = 'DELIVERED'`);
  const scrape = async (hub: HubProcess) =>
    new Scrape(
      await (await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text(),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'life-event-delivery-'));
    if (sourcesNotified) {
      sources = await startSandboxSources({ households: 60, seed: 'life-event-delivery-killed' });
      for (const id of SOURCES)
        sourceKeys.set(
          id,
          (await sources.adapters.get(id)!.pullIdentities()).records.filter((r) => !r.deleted).map((r) => r.sourceKey),
        );
    }
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HUB_DATA_DIR: join(dir, 'hub'),
      DATABASE_URL: db.url,
      LIFE_EVENT_DELIVERY_WORKERS: 'on',
      LIFE_EVENT_DELIVERY_ATTEMPTS: String(QUEUE.attempts),
      LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: String(QUEUE.retryDelaySeconds),
      LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS: String(QUEUE.attemptTimeoutSeconds),
      LIFE_EVENT_DELIVERY_CONCURRENCY: '8',
      JOB_QUEUE_MAINTENANCE_SECONDS: '1',
      METRICS_TOKEN,
      ...(sources ? { SOURCES_CONFIG: await sourcesConfigFile(sources) } : {}),
    };
    // The partner verifies with the key the CLI prints (the CLI makes it on first use, as the hub would).
    const printed = await runBuiltCli(['audit', 'public-key'], env);
    if (printed.code !== 0) throw new Error(`audit public-key failed: ${printed.stderr}`);
    const publicJwk = JSON.parse(printed.stdout) as Record<string, unknown>;
    if (publicJwk.d !== undefined) throw new Error('audit public-key printed a private key');
    for (const partner of partners) {
      const receiver = await startWebhookReceiver(publicJwk);
      receivers.set(partner.recipient, receiver);
      await insertRecipient(db.dataSource, partner, ['DEATH'], receiver.url);
    }
    for (const source of sourceRecipients) await insertRecipient(db.dataSource, source, ['DEATH']);
    // The intake's side of the outbox, in this process, on the same queue (same options as the hubs').
    outbox = new PgBossLifeEventOutbox({ url: db.url } as DatabaseRuntime, {
      retryLimit: QUEUE.attempts - 1,
      retryDelaySeconds: QUEUE.retryDelaySeconds,
      attemptTimeoutSeconds: QUEUE.attemptTimeoutSeconds + 10,
    });
  });
  afterAll(async () => {
    for (const hub of hubs) await hub.stop(5_000).catch(() => undefined);
    await outbox?.onApplicationShutdown();
    for (const receiver of receivers.values()) await receiver.close();
    await sources?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every partner applied every one of its keys once; every request it had was signed by the hub. */
  const expectEachKeyAppliedOnce = async (eventIds: ReadonlySet<string>) => {
    for (const partner of partners) {
      const receiver = receivers.get(partner.recipient)!;
      const keys = (
        (await db.dataSource.query(
          `select idempotency_key from life_event_delivery where recipient = $1 and event_id = any($2::uuid[])`,
          [partner.recipient, [...eventIds]],
        )) as { idempotency_key: string }[]
      ).map((row) => row.idempotency_key);
      expect(keys).toHaveLength(eventIds.size);
      for (const key of keys) expect(receiver.applied.get(key)).toBe(1);
      const mine = receiver.received.filter((r) => eventIds.has(r.eventId));
      expect(mine.every((r) => r.verified)).toBe(true);
    }
    // Each sandbox source: every key of its deliveries in its own record of what it applied, once.
    for (const source of sourceRecipients) {
      const sandbox = sources!.sandbox(source.recipient);
      const response = await fetch(`${sandbox.url}/_sandbox/life-events`, { headers: sandbox.authHeaders });
      const told = ((await response.json()) as { applied: Applied[] }).applied.filter((a) => eventIds.has(a.eventId));
      const keys = (
        (await db.dataSource.query(
          `select idempotency_key from life_event_delivery where recipient = $1 and event_id = any($2::uuid[])`,
          [source.recipient, [...eventIds]],
        )) as { idempotency_key: string }[]
      ).map((row) => row.idempotency_key);
      expect(told.map((a) => a.idempotencyKey).sort()).toEqual(keys.sort());
    }
  };

  it('the hub killed mid-delivery and restarted: every delivery DELIVERED, each key applied once, audited once', async () => {
    for (const receiver of receivers.values()) receiver.setLatency(150);
    // One partner is down (503) for its first requests: retried with back-off, across the kill.
    receivers.get('fire-service')!.failNext(15);
    const first = await startHubProcess(env);
    hubs.push(first);
    const eventIds = new Set<string>();
    for (let i = 0; i < EVENTS; i++)
      eventIds.add((await insertEvent(db.dataSource, outbox, recipients(), { sourceKeys: keysFor(i) })).eventId);
    const total = EVENTS * recipients().length;

    await waitFor('a fifth of the deliveries made', async () => (await delivered()) >= total / 5, 120_000, 50);
    process.kill(first.pid, 'SIGKILL');
    await first.stop(5_000);
    const deliveredAtKill = await delivered();
    expect(deliveredAtKill).toBeLessThan(total);
    // The killed instance had jobs in hand: active, with no worker left.
    const activeAtKill = await count(
      `select count(*)::int as n from pgboss.job where name = 'life-event-delivery' and state = 'active'`,
    );

    for (const receiver of receivers.values()) receiver.setLatency(0);
    const second = await startHubProcess(env);
    hubs.push(second);
    await waitFor('every delivery DELIVERED', async () => (await delivered()) === total, 180_000, 250);

    const states = await deliveryStates(db.dataSource);
    expect(states.filter((s) => s.status !== 'DELIVERED')).toEqual([]);
    await expectEachKeyAppliedOnce(eventIds);
    // One disclosure audited per delivery, however many times it was sent.
    expect(
      await db.dataSource.query(
        `select count(*)::int as events, count(distinct detail->>'deliveryId')::int as deliveries
         from audit_event where operation = 'life-event.delivered'`,
      ),
    ).toEqual([{ events: total, deliveries: total }]);
    const repeats = [...receivers.values()].reduce(
      (sum, r) => sum + r.received.filter((x) => eventIds.has(x.eventId)).length,
      0,
    );
    process.stdout.write(
      `life-event delivery killed: ${deliveredAtKill} of ${total} delivered at the kill, ${activeAtKill} job(s) in hand; ` +
        `the restarted hub delivered the rest (${repeats} webhook requests for ${EVENTS * partners.length} partner deliveries, retries and repeats included)\n`,
    );
    await second.stop();
  });

  it('two hub instances on one database: each delivery sent once, and both deliver', async () => {
    for (const receiver of receivers.values()) receiver.setLatency(30);
    const a = await startHubProcess({ ...env, DATABASE_URL: asInstance(db.url, 'hub-a') });
    const b = await startHubProcess({ ...env, DATABASE_URL: asInstance(db.url, 'hub-b') });
    hubs.push(a, b);
    const before = await delivered();
    const eventIds = new Set<string>();
    for (let i = 0; i < EVENTS; i++)
      eventIds.add((await insertEvent(db.dataSource, outbox, recipients(), { sourceKeys: keysFor(i) })).eventId);
    const total = EVENTS * recipients().length;
    await waitFor('every delivery DELIVERED', async () => (await delivered()) === before + total, 120_000, 250);

    // Nothing failed and nobody died: each delivery reached its partner exactly once.
    for (const receiver of receivers.values()) {
      const mine = receiver.received.filter((r) => eventIds.has(r.eventId));
      expect(mine).toHaveLength(EVENTS);
      expect(new Set(mine.map((r) => r.idempotencyKey)).size).toBe(EVENTS);
    }
    await expectEachKeyAppliedOnce(eventIds);
    const byInstance = await Promise.all(
      [a, b].map(async (hub) =>
        (await scrape(hub)).value('hub_life_event_deliveries_total', {
          recipient_kind: 'partner',
          outcome: 'delivered',
        }),
      ),
    );
    for (const source of sourceRecipients) {
      const sandbox = sources!.sandbox(source.recipient);
      const response = await fetch(`${sandbox.url}/_sandbox/life-events`, { headers: sandbox.authHeaders });
      const told = ((await response.json()) as { applied: Applied[] }).applied.filter((entry) =>
        eventIds.has(entry.eventId),
      );
      expect(told.map((entry) => entry.received)).toEqual(told.map(() => 1));
    }
    const sourcesDelivered = await Promise.all(
      [a, b].map(async (hub) =>
        (await scrape(hub)).value('hub_life_event_deliveries_total', {
          recipient_kind: 'source',
          outcome: 'delivered',
        }),
      ),
    );
    expect(byInstance[0] + byInstance[1] + sourcesDelivered[0] + sourcesDelivered[1]).toBe(total);
    expect(byInstance.every((n) => n > 0)).toBe(true);
    process.stdout.write(
      `two instances delivered ${byInstance.map((n, i) => n + sourcesDelivered[i]).join(' + ')} of ${total}\n`,
    );
  });
});

/** The same URL naming the connecting instance to PostgreSQL (`application_name`). */
function asInstance(url: string, name: string): string {
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return named.toString();
}
