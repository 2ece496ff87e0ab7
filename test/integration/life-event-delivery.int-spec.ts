import request from 'supertest';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { AuditVerifierService } from '../../src/audit/audit-verifier.service';
import { HubKeyService } from '../../src/keys/hub-key.service';
import { LifeEventOutbox } from '../../src/life-events/delivery/life-event-outbox';
import { SourceRegistry } from '../../src/sources/source-registry.service';
import {
  deliveryStates,
  insertEvent,
  insertRecipient,
  ObservedNotifyAdapter,
  Recipient,
  startWebhookReceiver,
  waitFor,
  WebhookReceiver,
  withdrawEvent,
} from '../support/life-event-delivery-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Tell Us Once delivery from the queued job to the recipient (docs/life-events.md): the real hub
 * in process with its delivery workers on, rows inserted as the intake's transaction writes them, a
 * partner's webhook receiver over real HTTP that verifies the hub's signature, and a source adapter whose
 * notify the test observes. Retries are quick (1 s, doubled) and a delivery has 3 attempts.
 */

jest.setTimeout(120_000);

const housing: Recipient = { kind: 'source', recipient: 'housing', organisation: 'council' };
const trust: Recipient = { kind: 'partner', recipient: 'nhs-trust', organisation: 'nhs-trust' };

describe('life-event delivery', () => {
  let hub: TestHub;
  let outbox: LifeEventOutbox;
  let webhook: WebhookReceiver;
  let source: ObservedNotifyAdapter;
  let admin: string;
  let caseworker: string;

  const states = (ids: Iterable<string>) => deliveryStates(hub.db.dataSource, [...ids]);
  const settled = (ids: Iterable<string>, status = 'DELIVERED') => {
    const all = [...ids];
    return waitFor(
      `deliveries ${status}`,
      async () => {
        const rows = await states(all);
        return rows.length === all.length && rows.every((d) => d.status === status);
      },
      60_000,
    );
  };
  const audits = async (operation: string, deliveryId: string) =>
    (await hub.db.dataSource.query(
      `select operation, decision, actor_subject, persons, released, purpose, agreement_id, agreement_version, reasons, detail
       from audit_event where operation = $1 and detail->>'deliveryId' = $2 order by seq`,
      [operation, deliveryId],
    )) as {
      decision: string;
      actor_subject: string;
      released: unknown;
      purpose: string;
      agreement_id: string;
      reasons: string[];
      detail: Record<string, unknown>;
    }[];
  const graphql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    request(hub.server).post('/graphql').set('authorization', `Bearer ${token}`).send({ query, variables });
  const retry = (token: string, id: string) =>
    graphql(
      token,
      `
        mutation ($id: ID!) {
          retryLifeEventDelivery(id: $id) {
            id
            status
            attempts
            lastError
            recipient
            kind
          }
        }
      `,
      { id },
    );

  beforeAll(async () => {
    hub = await startTestHub({
      LIFE_EVENT_DELIVERY_WORKERS: 'on',
      LIFE_EVENT_DELIVERY_ATTEMPTS: '3',
      LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: '1',
      LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS: '2',
      JOB_QUEUE_MAINTENANCE_SECONDS: '1',
    });
    outbox = hub.app.get(LifeEventOutbox);
    webhook = await startWebhookReceiver(await hub.app.get(HubKeyService).publicJwk());
    source = new ObservedNotifyAdapter('housing');
    // No SOURCES_CONFIG in this hub: the registry's (empty) map gets the observed adapter.
    (await hub.app.get(SourceRegistry).adapters()).set('housing', source.adapter());
    await insertRecipient(hub.db.dataSource, housing, ['DEATH', 'CHANGE_OF_ADDRESS']);
    await insertRecipient(hub.db.dataSource, trust, ['DEATH', 'CHANGE_OF_ADDRESS'], webhook.url);
    const tokens = hub.app.get(DevTokenIssuer);
    admin = await tokens.issue({ subject: 'admin-1', organisation: 'council', roles: [Role.Admin] });
    caseworker = await tokens.issue({ subject: 'cw-1', organisation: 'council', roles: [Role.Caseworker] });
  });
  afterAll(async () => {
    await webhook?.close();
    await hub?.stop();
  });
  beforeEach(() => {
    webhook.failNext(0);
    webhook.setLatency(0);
    source.failNext(0);
    source.refuseAll(false);
  });

  it('delivers a notice once to a source (notify) and to a partner (signed webhook), and audits each', async () => {
    const event = await insertEvent(hub.db.dataSource, outbox, [housing, trust]);
    const ids = [...event.deliveries.values()];
    await settled(ids);
    const [toSource, toPartner] = [event.deliveries.get('NOTICE:housing')!, event.deliveries.get('NOTICE:nhs-trust')!];

    // The source's adapter was told once, with its own keys and the released date only.
    const notices = source.notices.filter((n) => n.eventId === event.eventId);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toEqual({
      idempotencyKey: expect.any(String),
      kind: 'NOTICE',
      eventId: event.eventId,
      type: 'DEATH',
      sourceKeys: [expect.stringMatching(/^KEY-/)],
      date: '2026-11-30',
    });

    // The partner got the body, signed: the signature verifies against the hub's public key.
    const posts = webhook.received.filter((r) => r.eventId === event.eventId);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      deliveryId: toPartner,
      kind: 'NOTICE',
      type: 'DEATH',
      verified: true,
      released: { 'hub.lifeEvent.type': 'DEATH', 'hub.lifeEvent.date': '2026-11-30' },
    });
    expect(posts[0].headers['idempotency-key']).toBe(posts[0].idempotencyKey);
    expect(posts[0].headers['x-hub-delivery-id']).toBe(toPartner);

    const rows = await states(ids);
    expect(rows.map((r) => [r.recipient, r.status, r.attempts, r.outcome, r.last_error])).toEqual(
      expect.arrayContaining([
        ['housing', 'DELIVERED', 1, 'applied', null],
        ['nhs-trust', 'DELIVERED', 1, 'applied', null],
      ]),
    );
    expect(rows.every((r) => r.delivered_at instanceof Date)).toBe(true);

    // One disclosure event per delivery, with its agreement and released fields, by the hub's delivery actor.
    for (const id of [toSource, toPartner]) {
      const events = await audits('life-event.delivered', id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        decision: 'allow',
        actor_subject: 'system:life-event-delivery',
        purpose: 'TELL_US_ONCE',
        agreement_id: 'tell-us-once',
        released: [
          { source: 'hub', field: 'lifeEvent.date' },
          { source: 'hub', field: 'lifeEvent.type' },
        ],
      });
    }
  });

  it('a job run again (at least once) leaves a delivered row alone: the recipient hears once', async () => {
    const event = await insertEvent(hub.db.dataSource, outbox, [housing, trust]);
    const ids = [...event.deliveries.values()];
    await settled(ids);
    // The same jobs again, as after a worker died between sending and completing its job.
    await hub.db.dataSource.transaction((manager) => outbox.enqueue(manager, ids));
    await waitFor(
      'the repeated jobs done',
      async () =>
        Number(
          (
            await hub.db.dataSource.query(
              `select count(*)::int as n from pgboss.job where name = 'life-event-delivery' and data->>'deliveryId' = any($1) and state <> 'completed'`,
              [ids],
            )
          )[0].n,
        ) === 0,
      30_000,
    );
    expect(source.notices.filter((n) => n.eventId === event.eventId)).toHaveLength(1);
    expect(webhook.received.filter((r) => r.eventId === event.eventId)).toHaveLength(1);
    expect((await states(ids)).map((r) => r.attempts)).toEqual([1, 1]);
    for (const id of ids) expect(await audits('life-event.delivered', id)).toHaveLength(1);
  });

  it('a recipient down for a while receives its deliveries when it returns (retried with back-off)', async () => {
    webhook.failNext(2);
    source.failNext(2);
    const event = await insertEvent(hub.db.dataSource, outbox, [housing, trust]);
    const ids = [...event.deliveries.values()];
    await settled(ids);
    const rows = await states(ids);
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual([
      ['DELIVERED', 3, null],
      ['DELIVERED', 3, null],
    ]);
    // Each attempt reached the recipient; applied once.
    expect(webhook.received.filter((r) => r.eventId === event.eventId)).toHaveLength(3);
    const key = webhook.received.find((r) => r.eventId === event.eventId)!.idempotencyKey;
    expect(webhook.applied.get(key)).toBe(1);
    expect(source.notices.filter((n) => n.eventId === event.eventId)).toHaveLength(3);
  });

  it('after its last attempt a delivery is dead-lettered (audited), and an admin retry delivers it', async () => {
    webhook.failNext(3);
    const event = await insertEvent(hub.db.dataSource, outbox, [trust]);
    const id = event.deliveries.get('NOTICE:nhs-trust')!;
    await settled([id], 'DEAD');
    const [dead] = await states([id]);
    expect(dead).toMatchObject({ status: 'DEAD', attempts: 3, last_error: 'webhook answered HTTP 503' });
    const deadEvents = await audits('life-event.delivery-dead', id);
    expect(deadEvents).toHaveLength(1);
    expect(deadEvents[0]).toMatchObject({ decision: 'error', reasons: ['webhook answered HTTP 503'] });
    const sent = webhook.received.filter((r) => r.deliveryId === id);
    expect(sent).toHaveLength(3);
    expect(webhook.applied.has(sent[0].idempotencyKey)).toBe(false);

    // Not for a caseworker; an admin puts it back on the queue.
    const refused = await retry(caseworker, id);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await states([id]))[0].status).toBe('DEAD');
    const retried = await retry(admin, id);
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data.retryLifeEventDelivery).toEqual({
      id,
      status: 'PENDING',
      attempts: 3,
      lastError: 'webhook answered HTTP 503',
      recipient: 'nhs-trust',
      kind: 'NOTICE',
    });
    await settled([id]);
    expect((await states([id]))[0]).toMatchObject({ status: 'DELIVERED', attempts: 4, last_error: null });
    const retriedEvents = await audits('life-event.delivery-retried', id);
    expect(retriedEvents).toHaveLength(1);
    expect(retriedEvents[0]).toMatchObject({ decision: 'change', actor_subject: 'admin-1' });
    expect(await audits('life-event.delivered', id)).toHaveLength(1);

    // A delivered one cannot be retried; an unknown id or a malformed one is a clear error.
    expect((await retry(admin, id)).body.errors?.[0]?.extensions?.code).toBe('LIFE_EVENT_DELIVERY_NOT_DEAD');
    expect((await retry(admin, '00000000-0000-4000-8000-000000000000')).body.errors?.[0]?.extensions?.code).toBe(
      'LIFE_EVENT_DELIVERY_NOT_FOUND',
    );
    expect((await retry(admin, 'not-an-id')).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a notice the recipient refuses (4xx) is dead-lettered at once, not retried', async () => {
    source.refuseAll(true);
    webhook.failNext(1, 422);
    const event = await insertEvent(hub.db.dataSource, outbox, [housing, trust]);
    const ids = [...event.deliveries.values()];
    await settled(ids, 'DEAD');
    const rows = await states(ids);
    expect(rows.map((r) => [r.recipient, r.attempts, r.last_error])).toEqual(
      expect.arrayContaining([
        ['housing', 1, 'source housing refused the notice: HTTP 422: unknown person key'],
        ['nhs-trust', 1, 'webhook refused the delivery: HTTP 422'],
      ]),
    );
    for (const id of ids) expect(await audits('life-event.delivery-dead', id)).toHaveLength(1);
  });

  it('a withdrawal: a notice not yet sent is cancelled; a delivered one is followed by its retraction', async () => {
    // Delivered first, then withdrawn: the retraction reaches both recipients.
    const delivered = await insertEvent(hub.db.dataSource, outbox, [housing, trust]);
    await settled(delivered.deliveries.values());
    const retractions = await withdrawEvent(hub.db.dataSource, outbox, delivered.eventId);
    await settled(retractions.values());
    expect(source.notices.filter((n) => n.eventId === delivered.eventId).map((n) => n.kind)).toEqual([
      'NOTICE',
      'RETRACTION',
    ]);
    expect(webhook.received.filter((r) => r.eventId === delivered.eventId).map((r) => r.kind)).toEqual([
      'NOTICE',
      'RETRACTION',
    ]);

    // Withdrawn before its notices went (jobs held back, then run): nothing is sent, all is cancelled.
    const early = await insertEvent(hub.db.dataSource, outbox, [housing, trust], { enqueue: false });
    const noticeIds = [...early.deliveries.values()];
    const earlyRetractions = await withdrawEvent(hub.db.dataSource, outbox, early.eventId);
    await hub.db.dataSource.transaction((manager) => outbox.enqueue(manager, noticeIds));
    await settled([...noticeIds, ...earlyRetractions.values()], 'CANCELLED');
    expect(source.notices.filter((n) => n.eventId === early.eventId)).toEqual([]);
    expect(webhook.received.filter((r) => r.eventId === early.eventId)).toEqual([]);
    for (const id of noticeIds) expect(await audits('life-event.delivery-cancelled', id)).toHaveLength(1);
  });

  it('deliveries made together are audited in one append each group: the chain verifies, one event per delivery', async () => {
    const events = await Promise.all(
      Array.from({ length: 20 }, () => insertEvent(hub.db.dataSource, outbox, [housing, trust])),
    );
    const ids = events.flatMap((event) => [...event.deliveries.values()]);
    await settled(ids);
    const [counted] = (await hub.db.dataSource.query(
      `select count(*)::int as events, count(distinct detail->>'deliveryId')::int as deliveries
       from audit_event where operation = 'life-event.delivered' and detail->>'deliveryId' = any($1)`,
      [ids],
    )) as { events: number; deliveries: number }[];
    expect(counted).toEqual({ events: ids.length, deliveries: ids.length });
    const verification = await hub.app.get(AuditVerifierService).verify();
    expect(verification.valid).toBe(true);
  });

  it('a partner webhook address that is not https is refused (outside loopback) without sending', async () => {
    const elsewhere: Recipient = { kind: 'partner', recipient: 'police-force', organisation: 'police-force' };
    await insertRecipient(hub.db.dataSource, elsewhere, ['DEATH'], 'http://192.0.2.1/hook');
    const event = await insertEvent(hub.db.dataSource, outbox, [elsewhere]);
    const id = event.deliveries.get('NOTICE:police-force')!;
    await settled([id], 'DEAD');
    expect((await states([id]))[0].last_error).toBe(
      'a plain http webhook address is allowed only on loopback, outside production',
    );
  });
});
