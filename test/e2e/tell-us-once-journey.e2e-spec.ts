import request from 'supertest';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { IdentitySyncService } from '../../src/sources/sync/identity-sync.service';
import { AfterSync } from '../../src/sources/sync/after-sync';
import { HubKeyService } from '../../src/keys/hub-key.service';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { sourcesConfigFile } from '../support/hub-process';
import { startWebhookReceiver, waitFor, WebhookReceiver } from '../support/life-event-delivery-fixtures';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Tell Us Once from end to end, as a council runs it (docs/life-events.md): the hub synced from the three
 * sandbox source systems over HTTP, its delivery workers on; a registrar reports a death once through
 * GraphQL; every source holding a record of the person applies it exactly once by its own key, the NHS
 * trust's webhook receives a signed body of only what its agreement releases, the team holding the
 * household's case is alerted; a second report delivers nothing again; a withdrawal reaches every
 * recipient of the notice, and each source undoes it.
 */

jest.setTimeout(180_000);

// oxlint-disable-next-line typescript/no-explicit-any
type Loose = Record<string, any>;

interface Applied {
  idempotencyKey: string;
  kind: string;
  eventId: string;
  received: number;
  retractedBy?: string;
}

describe('Tell Us Once, reported once and delivered to every recipient', () => {
  let sources: SandboxSources;
  let hub: TestHub;
  let partner: WebhookReceiver;
  const tokens: Record<string, string> = {};

  const gql = (who: string, query: string, variables: Loose = {}, headers: Record<string, string> = {}) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens[who]}`)
      .set(headers)
      .send({ query, variables })
      .expect(200)
      .then((res) => res.body as { data?: Loose; errors?: { message: string; extensions: Loose }[] });
  const sql = (text: string, params: unknown[] = []) => hub.db.dataSource.query(text, params) as Promise<Loose[]>;
  const applied = async (source: string, eventId: string): Promise<Applied[]> => {
    const sandbox = sources.sandbox(source);
    const response = await fetch(`${sandbox.url}/_sandbox/life-events`, { headers: sandbox.authHeaders });
    if (!response.ok) throw new Error(`sandbox ${source}: HTTP ${response.status}`);
    return ((await response.json()) as { applied: Applied[] }).applied.filter((a) => a.eventId === eventId);
  };
  const settled = (eventId: string, kind: string, count: number) =>
    waitFor(
      `${count} ${kind} deliveries delivered`,
      async () =>
        Number(
          (
            await sql(
              `select count(*)::int as n from life_event_delivery where event_id = $1 and kind = $2 and status = 'DELIVERED'`,
              [eventId, kind],
            )
          )[0].n,
        ) === count,
      90_000,
      100,
    );

  const REPORT = `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) {
      id status repeat deliveries { kind recipientKind recipient status } } }`;
  const RECEIPT = `query ($id: ID!) { lifeEvent(id: $id) { status deliveries { kind recipient status attempts deliveredAt } } }`;

  let person: string;
  let sourcesHolding: string[];
  let eventId: string;

  beforeAll(async () => {
    sources = await startSandboxSources({ households: 60, seed: 'tell-us-once-journey' });
    hub = await startTestHub({
      SOURCES_CONFIG: await sourcesConfigFile(sources),
      LIFE_EVENT_DELIVERY_WORKERS: 'on',
      LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: '1',
      JOB_QUEUE_MAINTENANCE_SECONDS: '1',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    // A sync as the schedule runs it: records, matching, households.
    const summaries = await hub.app.get(IdentitySyncService).sync();
    if (!summaries.every((s) => s.status === 'complete')) throw new Error(`sync: ${JSON.stringify(summaries)}`);
    await hub.app.get(AfterSync).run(summaries);
    await hub.app.get(AccessSeedService).seedDemo();
    await hub.app.get(LifeEventSubscriptionsService).seedDemo();
    partner = await startWebhookReceiver(await hub.app.get(HubKeyService).publicJwk());

    const issuer = hub.app.get(DevTokenIssuer);
    const issue = (subject: string, roles: Role[], team?: string) =>
      issuer.issue({ subject, organisation: 'council', roles, ...(team ? { team } : {}) });
    tokens.registrar = await issue('reg-journey', [Role.Registrar], 'registration');
    tokens.admin = await issue('admin-journey', [Role.Admin]);
    tokens.am = await issue('am-journey', [Role.AccountManager], 'early-help-east');

    // Someone every live source knows, living in a household of two or more.
    const [chosen] = await sql(
      `select l.person_id::text as person, array_agg(distinct r.source order by r.source) as sources
         from person_link l join source_record r on r.id = l.source_record_id
         join person p on p.id = l.person_id and p.status = 'active'
         join household_membership m on m.person_id = l.person_id and m.valid_to is null
        where not r.deleted and r.source in ('housing', 'benefits', 'social-care')
          and (select count(*) from household_membership o where o.household_id = m.household_id and o.valid_to is null) >= 2
        group by 1 order by count(distinct r.source) desc, 1 limit 1`,
    );
    person = chosen.person;
    sourcesHolding = chosen.sources;
    if (sourcesHolding.length < 2) throw new Error('the borough has nobody two sources know');
    const [home] = await sql(
      `select household_id::text as id from household_membership where person_id = $1 and valid_to is null`,
      [person],
    );
    const assigned = await gql('admin', `mutation ($input: AssignCaseInput!) { assignCase(input: $input) { id } }`, {
      input: { subjectKind: 'HOUSEHOLD', subjectId: home.id, team: 'early-help-east' },
    });
    if (assigned.errors) throw new Error(`assignCase: ${JSON.stringify(assigned.errors)}`);
    const subscribed = await gql(
      'admin',
      `mutation ($input: SubscribeToLifeEventsInput!) { subscribeToLifeEvents(input: $input) { id } }`,
      {
        input: {
          recipientKind: 'PARTNER',
          recipient: 'nhs-trust',
          organisation: 'nhs-trust',
          eventTypes: ['DEATH'],
          webhookUrl: partner.url,
        },
      },
    );
    if (subscribed.errors) throw new Error(`subscribeToLifeEvents: ${JSON.stringify(subscribed.errors)}`);
  });
  afterAll(async () => {
    await hub?.stop();
    await partner?.close();
    await sources?.close();
  });

  it('a death reported once reaches each source holding a record, once, and the partner, signed', async () => {
    const body = await gql('registrar', REPORT, {
      input: { type: 'DEATH', personId: person, date: '2026-03-01', evidenceReference: 'GRO:DE-2026-777001' },
    });
    expect(body.errors).toBeUndefined();
    const event = body.data!.reportLifeEvent;
    eventId = event.id;
    expect(event).toMatchObject({ status: 'ACCEPTED', repeat: false });
    const recipients = event.deliveries.map((d: Loose) => `${d.recipientKind}:${d.recipient}`).sort();
    expect(recipients).toEqual([...sourcesHolding.map((s) => `SOURCE:${s}`), 'PARTNER:nhs-trust'].sort());

    await settled(eventId, 'NOTICE', recipients.length);
    for (const source of sourcesHolding)
      expect(await applied(source, eventId)).toEqual([expect.objectContaining({ kind: 'NOTICE', received: 1 })]);
    const told = partner.received.filter((r) => r.eventId === eventId);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'NOTICE', type: 'DEATH', verified: true });
    // Only what the NHS trust's agreement releases (no address, no NINO), and the date of death.
    const [agreement] = await sql(
      `select fields from life_event_delivery where event_id = $1 and recipient = 'nhs-trust' and kind = 'NOTICE'`,
      [eventId],
    );
    for (const field of Object.keys(told[0].released)) expect(agreement.fields).toContain(field);
    expect(told[0].released['hub.lifeEvent.date']).toBe('2026-03-01');
    expect(told[0].released['hub.identity.nino']).toBeUndefined();

    // The receipt the registrar reads, and one disclosure audit event per delivery made.
    const receipt = await gql('registrar', RECEIPT, { id: eventId });
    expect(receipt.data!.lifeEvent.deliveries.every((d: Loose) => d.status === 'DELIVERED' && d.deliveredAt)).toBe(
      true,
    );
    const [audited] = await sql(
      `select count(*)::int as n from audit_event where operation = 'life-event.delivered' and detail->>'eventId' = $1`,
      [eventId],
    );
    expect(audited.n).toBe(recipients.length);
  });

  it('alerts the team holding the household case, which reads what happened though the death ended the membership', async () => {
    const [membership] = await sql(
      `select count(*)::int as n from household_membership where person_id = $1 and valid_to is null`,
      [person],
    );
    expect(membership.n).toBe(0);
    const alerts = await gql(
      'am',
      `{ notifications { eventId personId type date } }`,
      {},
      { 'x-purpose': 'EARLY_HELP' },
    );
    expect(alerts.errors).toBeUndefined();
    expect(alerts.data!.notifications).toContainEqual({ eventId, personId: person, type: 'DEATH', date: '2026-03-01' });
    // The alert does not open the person's record: the household case no longer covers them.
    const view = await gql(
      'am',
      `query ($id: ID!) { person(id: $id) { familyName } }`,
      { id: person },
      {
        'x-purpose': 'EARLY_HELP',
      },
    );
    expect(view.errors?.[0].extensions.code).toBe('WITHHELD_BY_POLICY');
  });

  it('a second report of the same death returns the first event and delivers nothing again', async () => {
    const before = partner.received.length;
    const again = await gql('registrar', REPORT, {
      input: { type: 'DEATH', personId: person, date: '2026-03-01', evidenceReference: 'GRO:DE-2026-777002' },
    });
    expect(again.data!.reportLifeEvent).toMatchObject({ id: eventId, repeat: true });
    const [rows] = await sql(`select count(*)::int as n from life_event_delivery where event_id = $1`, [eventId]);
    expect(rows.n).toBe(sourcesHolding.length + 1);
    // Given the workers time to send anything new: the sources and the partner were told once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(partner.received.length).toBe(before);
    for (const source of sourcesHolding) expect(await applied(source, eventId)).toHaveLength(1);
  });

  it('a withdrawal reaches every recipient of the notice, and each source undoes it', async () => {
    const withdrawn = await gql(
      'registrar',
      `mutation ($id: ID!) { withdrawLifeEvent(id: $id, reason: "The register entry was for another person.") { status } }`,
      { id: eventId },
    );
    expect(withdrawn.errors).toBeUndefined();
    expect(withdrawn.data!.withdrawLifeEvent.status).toBe('WITHDRAWN');
    await settled(eventId, 'RETRACTION', sourcesHolding.length + 1);
    for (const source of sourcesHolding) {
      const entries = await applied(source, eventId);
      expect(entries.map((e) => e.kind).sort()).toEqual(['NOTICE', 'RETRACTION']);
      expect(entries.find((e) => e.kind === 'NOTICE')!.retractedBy).toBeDefined();
    }
    expect(partner.received.filter((r) => r.eventId === eventId).map((r) => r.kind)).toEqual(['NOTICE', 'RETRACTION']);
    // The index forgets the death: the person has no date of death again.
    const [row] = await sql(`select date_of_death from person where id = $1`, [person]);
    expect(row.date_of_death).toBeNull();
  });
});
