import { LifeEventOutbox } from '../../src/life-events/delivery/life-event-outbox';
import { createAdapter } from '../../src/sources/source-registry';
import { sourcesConfigFile } from '../support/hub-process';
import {
  deliveryStates,
  insertEvent,
  insertRecipient,
  Recipient,
  waitFor,
  withdrawEvent,
} from '../support/life-event-delivery-fixtures';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Life-event delivery to the three real sandbox source systems over HTTP, through their adapters'
 * notify() (SOURCES_CONFIG, as production): a death reaches each once, from its point of view (the
 * sandbox's own record of the keys it applied); a source down for a while receives it when it returns;
 * a withdrawal's retraction undoes the notice.
 */

jest.setTimeout(120_000);

const SOURCES = ['housing', 'benefits', 'social-care'];
/** Whether every source's adapter takes notices (built without a network: nothing is called). */
const notifies = SOURCES.every((id) => {
  const adapter = createAdapter({
    id,
    adapter: id,
    baseUrl: 'http://127.0.0.1:9',
    authHeaders: {},
    timeoutMs: 1000,
    pageSize: 10,
    retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
  });
  return typeof adapter.notify === 'function';
});

interface Applied {
  idempotencyKey: string;
  kind: string;
  eventId: string;
  outcome: string;
  received: number;
  retractedBy?: string;
}

describe('life-event delivery to the sandbox sources', () => {
  let sources: SandboxSources;
  let hub: TestHub | undefined;
  let outbox: LifeEventOutbox;
  let keys: Map<string, string[]>;
  const recipients: Recipient[] = SOURCES.map((id) => ({ kind: 'source', recipient: id, organisation: 'council' }));

  it('finds that every live source adapter takes notices', () => {
    expect(notifies).toBe(true);
  });

  /** What one sandbox says it was told (`GET /_sandbox/life-events`). */
  const applied = async (id: string): Promise<Applied[]> => {
    const sandbox = sources.sandbox(id);
    const response = await fetch(`${sandbox.url}/_sandbox/life-events`, { headers: sandbox.authHeaders });
    if (!response.ok) throw new Error(`sandbox ${id}: HTTP ${response.status}`);
    return ((await response.json()) as { applied: Applied[] }).applied;
  };
  const settled = (ids: string[], status = 'DELIVERED') =>
    waitFor(
      `deliveries ${status}`,
      async () => {
        const rows = await deliveryStates(hub!.db.dataSource, ids);
        return rows.length === ids.length && rows.every((row) => row.status === status);
      },
      90_000,
    );
  /** The n-th person-record key of each source, so each test tells of someone else. */
  const keysOf = (n: number) => Object.fromEntries(SOURCES.map((id) => [id, [keys.get(id)![n]]]));

  beforeAll(async () => {
    sources = await startSandboxSources({ households: 40, seed: 'life-event-delivery' });
    keys = new Map();
    for (const id of SOURCES) {
      const page = await sources.adapters.get(id)!.pullIdentities();
      keys.set(
        id,
        page.records.filter((r) => !r.deleted).map((r) => r.sourceKey),
      );
    }
    hub = await startTestHub({
      SOURCES_CONFIG: await sourcesConfigFile(sources),
      LIFE_EVENT_DELIVERY_WORKERS: 'on',
      LIFE_EVENT_DELIVERY_ATTEMPTS: '20',
      LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: '1',
      LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS: '5',
      JOB_QUEUE_MAINTENANCE_SECONDS: '1',
    });
    outbox = hub.app.get(LifeEventOutbox);
    for (const recipient of recipients) await insertRecipient(hub.db.dataSource, recipient, ['DEATH']);
  });
  afterAll(async () => {
    await hub?.stop();
    await sources?.close();
  });

  it('a death reaches each of the three sources once, from its own point of view', async () => {
    const event = await insertEvent(hub!.db.dataSource, outbox, recipients, { sourceKeys: keysOf(0) });
    const ids = [...event.deliveries.values()];
    await settled(ids);
    for (const id of SOURCES) {
      const mine = (await applied(id)).filter((a) => a.eventId === event.eventId);
      expect(mine).toEqual([expect.objectContaining({ kind: 'NOTICE', received: 1 })]);
    }
    const rows = await deliveryStates(hub!.db.dataSource, ids);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual(SOURCES.map(() => ['DELIVERED', 1]));
    expect(rows.every((row) => ['applied', 'nothing-to-do'].includes(row.outcome!))).toBe(true);
  });

  it('a source down for a while receives its delivery when it returns', async () => {
    sources.fail('benefits', { mode: '500' });
    const event = await insertEvent(hub!.db.dataSource, outbox, recipients, { sourceKeys: keysOf(1) });
    const benefits = event.deliveries.get('NOTICE:benefits')!;
    await settled([event.deliveries.get('NOTICE:housing')!, event.deliveries.get('NOTICE:social-care')!]);
    await waitFor(
      'a failed attempt at benefits',
      async () => (await deliveryStates(hub!.db.dataSource, [benefits]))[0].attempts >= 2,
      30_000,
    );
    expect((await deliveryStates(hub!.db.dataSource, [benefits]))[0]).toMatchObject({
      status: 'PENDING',
      last_error: expect.stringContaining('benefits'),
    });
    sources.fail('benefits', undefined);
    await settled([benefits]);
    const mine = (await applied('benefits')).filter((a) => a.eventId === event.eventId);
    expect(mine).toEqual([expect.objectContaining({ kind: 'NOTICE' })]);
  });

  it('a withdrawal: each source is told to undo the notice it applied', async () => {
    const event = await insertEvent(hub!.db.dataSource, outbox, recipients, { sourceKeys: keysOf(2) });
    await settled([...event.deliveries.values()]);
    const retractions = await withdrawEvent(hub!.db.dataSource, outbox, event.eventId);
    await settled([...retractions.values()]);
    for (const id of SOURCES) {
      const mine = (await applied(id)).filter((a) => a.eventId === event.eventId);
      const notice = mine.find((a) => a.kind === 'NOTICE')!;
      const retraction = mine.find((a) => a.kind === 'RETRACTION')!;
      expect(retraction).toBeDefined();
      if (notice.outcome === 'applied') expect(notice.retractedBy).toBe(retraction.idempotencyKey);
    }
  });
});
