import request from 'supertest';
import { Role } from '../../src/engine/principal';
import { DeliveryPayload } from '../../src/life-events/delivery/life-event-outbox';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { LifeEventNotice } from '../../src/sources/source-adapter';
import { AfterSync } from '../../src/sources/sync/after-sync';
import { IdentitySyncService } from '../../src/sources/sync/identity-sync.service';
import { duplicates } from '../resilience/support/index-snapshot';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

// Jest ignores testTimeout inside `projects`; this suite starts the sandboxes and syncs them.
jest.setTimeout(120_000);

/**
 * A birth reported once, end to end with the real sources: the hub, synced from the three sandbox
 * systems over HTTP (its model trained on their borough), records the child; the housing sandbox is told
 * through its adapter's `notify()` with the notice the hub queued (as the delivery worker sends it) and adds
 * the child to the parent's tenancy; the next incremental sync brings the child's housing record, and the
 * matching after it links that record to the child the hub already has: one person, not two.
 */
describe('a child reported born, when the housing system adds them to the tenancy', () => {
  let hub: SingleViewHub;
  let registrar: string;

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 80, seed: 'births' });
    await hub.app.get(LifeEventSubscriptionsService).seedDemo();
    registrar = await hub.token({
      subject: 'reg-rose',
      organisation: 'council',
      roles: [Role.Registrar],
      team: 'registration',
    });
  });
  afterAll(() => hub?.stop());

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    hub.db.dataSource.query(text, params) as Promise<T[]>;

  it('links the tenancy’s new record of the child to the reported child', async () => {
    // A tenant of a current tenancy, an adult: the parent.
    const [parent] = await sql<{ person_id: string; family_name: string }>(
      `select l.person_id::text, r.demographics->>'familyName' as family_name
         from source_record r join person_link l on l.source_record_id = r.id join person p on p.id = l.person_id
        where r.source = 'housing' and not r.deleted and p.status = 'active' and p.date_of_death is null
          and r.household_hints @> '[{"kind": "tenancy"}]' and r.demographics->>'dateOfBirth' < '2000-01-01'
          and r.demographics->>'familyName' is not null
        order by r.source_key limit 1`,
    );
    expect(parent).toBeDefined();
    const child = { givenName: 'Peregrine', familyName: parent.family_name, sex: 'M' };
    const body = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${registrar}`)
      .send({
        query: `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) { id status personId } }`,
        variables: {
          input: {
            type: 'BIRTH',
            date: '2026-09-01',
            evidenceReference: 'GRO:BI-2026-8001',
            parentIds: [parent.person_id],
            child,
          },
        },
      })
      .expect(200);
    expect(body.body.errors).toBeUndefined();
    const event = body.body.data.reportLifeEvent as { id: string; status: string; personId: string };
    expect(event.status).toBe('ACCEPTED');

    // The notice to housing, sent as the delivery worker sends it.
    const [delivery] = await sql<{ idempotency_key: string; payload: DeliveryPayload }>(
      `select idempotency_key, payload from life_event_delivery where event_id = $1 and recipient = 'housing' and kind = 'NOTICE'`,
      [event.id],
    );
    expect(delivery).toBeDefined();
    const released = delivery.payload.released;
    const notice: LifeEventNotice = {
      idempotencyKey: delivery.idempotency_key,
      kind: 'NOTICE',
      eventId: event.id,
      type: 'BIRTH',
      sourceKeys: delivery.payload.sourceKeys ?? [],
      date: released['hub.lifeEvent.date'] as string,
      child: released['hub.lifeEvent.child'] as LifeEventNotice['child'],
    };
    const receipt = await hub.sources.adapters.get('housing')!.notify!(notice);
    expect(receipt.outcome).toBe('applied');

    // The next incremental sync, and the matching after it.
    const synced = await hub.app.get(IdentitySyncService).sync();
    expect(synced.filter((s) => s.status === 'failed')).toEqual([]);
    await hub.app.get(AfterSync).run(synced);

    const records = await sql<{
      source_key: string;
      person_id: string;
      method: string;
      explanation: Record<string, unknown>;
    }>(
      `select r.source_key, l.person_id::text, l.method, l.explanation
         from source_record r join person_link l on l.source_record_id = r.id
        where r.source = 'housing' and r.demographics->>'givenName' = 'Peregrine' and r.demographics->>'dateOfBirth' = '2026-09-01'`,
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ person_id: event.personId });
    expect(['auto', 'deterministic']).toContain(records[0].method);
    expect(records[0].explanation).toMatchObject({ viaReportedEvent: event.id, decision: 'link' });
    // One Peregrine in the index, in the parent's household.
    const persons = await sql(
      `select distinct p.id from person p join person_reported_identity x on x.person_id = p.id
        where p.status = 'active' and x.fields->>'givenName' = 'Peregrine'`,
    );
    expect(persons).toHaveLength(1);
    const households = await sql<{ household_id: string }>(
      `select distinct household_id::text from household_membership where valid_to is null and person_id = any($1::uuid[])`,
      [[parent.person_id, event.personId]],
    );
    expect(households).toHaveLength(1);
    expect(await duplicates(hub.db.dataSource)).toMatchObject({ recordsUnlinked: 0, activePersonsWithoutRecords: 0 });
  });
});
