import request from 'supertest';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { HouseholdsService } from '../../src/households/households.service';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { IdentityDecisionsService } from '../../src/identity/persons/identity-decisions.service';
import { DELIVERY_QUEUE } from '../../src/life-events/delivery/life-event-outbox';
import { londonToday } from '../../src/life-events/intake/life-event-intake.service';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { IdentityFields } from '../../src/sources/identity-fields';
import { HouseholdHint } from '../../src/sources/source-adapter';
import { fixturePeople } from '../support/identity-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Tell Us Once intake over HTTP (docs/life-events.md), against the real hub and PostgreSQL: a report is
 * validated, stored once with its deliveries, their audit events and their jobs in one transaction; a
 * repeat returns the first event; a withdrawal retracts; an uncertain match waits for a data steward; the
 * index reacts (death, move, name change, birth) and the case holders are alerted under the policy.
 */
/** A GraphQL answer or a row, read loosely by the assertions (a wrong path fails them). */
// oxlint-disable-next-line typescript/no-explicit-any
type Loose = Record<string, any>;
/** A GraphQL list item as the assertions read it. */
type Item = Record<string, string>;

describe('life events: intake, receipts, alerts', () => {
  let hub: TestHub;
  const tokens: Record<string, string> = {};
  let keyCounter = 0;

  const gql = (
    who: string,
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens[who]}`)
      .set(headers)
      .send({ query, variables })
      .expect(200)
      .then((res) => res.body as { data?: Loose; errors?: { message: string; extensions: Loose }[] });
  const sql = <T = Loose>(text: string, params: unknown[] = []) =>
    hub.db.dataSource.query(text, params) as Promise<T[]>;

  /** Source records as a sync would leave them, with household hints. */
  const records = async (rows: { source: string; key?: string; fields: IdentityFields; hints?: HouseholdHint[] }[]) => {
    await sql(
      `insert into source_record (source, source_key, demographics, household_hints, content_hash)
       select source, key, demographics, hints, md5(demographics::text)
         from unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[]) as t(source, key, demographics, hints)`,
      [
        rows.map((r) => r.source),
        rows.map((r) => r.key ?? `LE${++keyCounter}`),
        rows.map((r) => JSON.stringify(r.fields)),
        rows.map((r) => JSON.stringify(r.hints ?? [])),
      ],
    );
  };
  const personOf = async (source: string, key: string) =>
    (
      await sql<{ person_id: string }>(
        `select coalesce(p.merged_into, p.id)::text as person_id
           from person_link l join source_record r on r.id = l.source_record_id join person p on p.id = l.person_id
          where r.source = $1 and r.source_key = $2`,
        [source, key],
      )
    )[0]?.person_id;
  const householdOf = async (personId: string) =>
    (
      await sql<{ household_id: string }>(
        `select household_id::text from household_membership where person_id = $1 and valid_to is null`,
        [personId],
      )
    )[0]?.household_id;

  const ada = { givenName: 'Adelaide', familyName: 'Quennell', dateOfBirth: '1950-02-03', nino: 'JH123456C' };
  const adaHome = { uprn: '900001', postcode: 'LS6 1AA', addressLines: ['1 Quarry Mount'] };
  const bert = { givenName: 'Bertram', familyName: 'Quennell', dateOfBirth: '1948-07-09' };
  const cora = { givenName: 'Coralie', familyName: 'Vantongeren', dateOfBirth: '1985-04-12', nino: 'JK654321D' };
  const coraHome = { uprn: '900002', postcode: 'LS7 2BB', addressLines: ['2 Chapel Street'] };
  const dev = { givenName: 'Devorah', familyName: 'Ilkington', dateOfBirth: '1962-11-30' };
  let ids: Record<'ada' | 'bert' | 'cora' | 'dev', string>;

  beforeAll(async () => {
    hub = await startTestHub({ RATE_LIMIT_PER_MINUTE: '0' });
    const issuer = hub.app.get(DevTokenIssuer);
    const issue = (subject: string, roles: Role[], extra: { organisation?: string; team?: string } = {}) =>
      issuer.issue({
        subject,
        organisation: extra.organisation ?? 'council',
        roles,
        ...(extra.team ? { team: extra.team } : {}),
      });
    tokens.registrar = await issue('reg-rose', [Role.Registrar], { team: 'registration' });
    tokens.am = await issue('am-alice', [Role.AccountManager], { team: 'early-help-north' });
    tokens.amOther = await issue('am-bob', [Role.AccountManager], { team: 'early-help-south' });
    tokens.caseworker = await issue('cw-carol', [Role.Caseworker], { team: 'housing-options' });
    tokens.steward = await issue('ds-sam', [Role.DataSteward]);
    tokens.dpo = await issue('dpo-dee', [Role.Dpo]);
    tokens.admin = await issue('admin-ash', [Role.Admin]);
    tokens.partnerAm = await issue('nhs-am', [Role.AccountManager], { organisation: 'nhs-trust' });

    await hub.app.get(AccessSeedService).seedDemo();
    await hub.app.get(LifeEventSubscriptionsService).seedDemo();
    const tenancy = (groupKey: string, role: string): HouseholdHint => ({ kind: 'tenancy', groupKey, role });
    await records([
      ...fixturePeople(60, 11).map((p) => ({ source: 'housing', fields: p.fields })),
      { source: 'housing', key: 'H-ADA', fields: { ...ada, ...adaHome }, hints: [tenancy('T-1', 'joint-tenant')] },
      { source: 'benefits', key: 'B-ADA', fields: { ...ada, ...adaHome } },
      { source: 'housing', key: 'H-BERT', fields: { ...bert, ...adaHome }, hints: [tenancy('T-1', 'joint-tenant')] },
      { source: 'housing', key: 'H-CORA', fields: { ...cora, ...coraHome }, hints: [tenancy('T-2', 'tenant')] },
      { source: 'benefits', key: 'B-CORA', fields: { ...cora, ...coraHome } },
      {
        source: 'housing',
        key: 'H-DEV',
        fields: { ...dev, uprn: '900003', postcode: 'LS8 3CC', addressLines: ['3 Mill Lane'] },
      },
    ]);
    await hub.app.get(IdentityIndexService).matchPending();
    // One person per pair of records, whatever the small batch's model made of them (same NINO: merged at once).
    const steward = { subject: 'ds-fixture', organisation: 'council', roles: [Role.DataSteward] };
    for (const [a, b] of [
      ['H-ADA', 'B-ADA'],
      ['H-CORA', 'B-CORA'],
    ]) {
      const [housing, benefits] = [await personOf('housing', a), await personOf('benefits', b)];
      if (housing !== benefits) {
        const merged = await hub.app
          .get(IdentityDecisionsService)
          .merge(housing!, benefits!, steward, 'one person (test fixture)');
        if (merged.personId !== housing) throw new Error('fixture: the two records were not merged at once');
      }
    }
    await hub.app.get(HouseholdsService).resolveAll();
    ids = {
      ada: (await personOf('housing', 'H-ADA'))!,
      bert: (await personOf('housing', 'H-BERT'))!,
      cora: (await personOf('housing', 'H-CORA'))!,
      dev: (await personOf('housing', 'H-DEV'))!,
    };
    if ((await personOf('benefits', 'B-ADA')) !== ids.ada || (await personOf('benefits', 'B-CORA')) !== ids.cora)
      throw new Error('fixture: the benefits records are not linked to the housing records');
  }, 120_000);
  afterAll(() => hub?.stop());

  const REPORT = `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) {
      id type status personId date repeat notDelivered parentIds matchCandidates { personId score }
      deliveries { id kind recipientKind recipient status attempts lastError deliveredAt agreementId agreementVersion fields } } }`;
  const report = (who: string, input: Record<string, unknown>) => gql(who, REPORT, { input });
  const today = londonToday();

  describe('a death reported by id', () => {
    let eventId: string;

    it('is accepted once: one delivery per source holding a record, each audited and queued in the same transaction', async () => {
      const householdBefore = await householdOf(ids.ada);
      expect(householdBefore).toBeDefined();
      const body = await report('registrar', {
        type: 'DEATH',
        personId: ids.ada,
        date: '2026-01-10',
        evidenceReference: 'GRO:DE-2026-000101',
      });
      expect(body.errors).toBeUndefined();
      const event = body.data!.reportLifeEvent;
      eventId = event.id;
      expect(event).toMatchObject({ type: 'DEATH', status: 'ACCEPTED', personId: ids.ada, repeat: false });
      // Ada is known to housing and benefits, not to social care: told only where a record is held.
      expect(event.deliveries.map((d: Item) => `${d.kind}:${d.recipient}:${d.status}`).sort()).toEqual([
        'NOTICE:benefits:PENDING',
        'NOTICE:housing:PENDING',
      ]);
      expect(event.notDelivered).toEqual(['source:social-care: holds no record of the person']);
      for (const d of event.deliveries) {
        expect(d).toMatchObject({ recipientKind: 'SOURCE', agreementId: 'council-tell-us-once', attempts: 0 });
        expect(d.fields).toEqual(expect.arrayContaining(['hub.lifeEvent.type', 'hub.lifeEvent.date']));
      }
      const rows = await sql(
        `select recipient, payload, idempotency_key from life_event_delivery where event_id = $1 order by recipient`,
        [eventId],
      );
      expect(rows[1].payload).toMatchObject({
        eventId,
        type: 'DEATH',
        sourceKeys: ['H-ADA'],
        released: {
          'hub.lifeEvent.type': 'DEATH',
          'hub.lifeEvent.date': '2026-01-10',
          'hub.identity.familyName': 'Quennell',
          'hub.identity.dateOfDeath': '2026-01-10',
        },
      });
      // Least disclosure: the NINO is not released to the council's systems by the agreement.
      expect(rows[1].payload.released['hub.identity.nino']).toBeUndefined();
      expect(rows[0].payload.sourceKeys).toEqual(['B-ADA']);
      const jobs = await sql(`select data from pgboss.job where name = $1 and data->>'deliveryId' = any($2)`, [
        DELIVERY_QUEUE,
        event.deliveries.map((d: Item) => d.id),
      ]);
      expect(jobs).toHaveLength(2);
      const disclosures = await sql(
        `select released, agreement_id, agreement_version, purpose, detail from audit_event where operation = 'life-event.disclose' and detail->>'eventId' = $1`,
        [eventId],
      );
      expect(disclosures).toHaveLength(2);
      expect(disclosures.map((d) => d.detail.recipient).sort()).toEqual(['benefits', 'housing']);
      expect(disclosures[0]).toMatchObject({ agreement_id: 'council-tell-us-once', purpose: 'TELL_US_ONCE' });
    });

    it('makes the index react: date of death set, household membership ended, the person still findable', async () => {
      const [person] = await sql(
        `select status, to_char(date_of_death, 'YYYY-MM-DD') as dod from person where id = $1`,
        [ids.ada],
      );
      expect(person).toEqual({ status: 'active', dod: '2026-01-10' });
      expect(await householdOf(ids.ada)).toBeUndefined();
      expect(await householdOf(ids.bert)).toBeDefined();
      // Re-resolution after the next sync does not bring her back.
      await hub.app.get(HouseholdsService).resolveAll();
      expect(await householdOf(ids.ada)).toBeUndefined();
    });

    it('answers a repeat (same person, type and date; or the same evidence) with the first event, delivering nothing again', async () => {
      const again = await report('registrar', {
        type: 'DEATH',
        personId: ids.ada,
        date: '2026-01-10',
        evidenceReference: 'TUO:CONTACT-CENTRE-77',
      });
      expect(again.errors).toBeUndefined();
      expect(again.data!.reportLifeEvent).toMatchObject({ id: eventId, repeat: true });
      const sameEvidence = await report('registrar', {
        type: 'DEATH',
        personId: ids.ada,
        date: '2026-01-10',
        evidenceReference: 'GRO:DE-2026-000101',
      });
      expect(sameEvidence.data!.reportLifeEvent).toMatchObject({ id: eventId, repeat: true });
      const [{ count }] = await sql(`select count(*)::int as count from life_event_delivery where event_id = $1`, [
        eventId,
      ]);
      expect(count).toBe(2);
      const [{ events }] = await sql(`select count(*)::int as events from life_event where person_id = $1`, [ids.ada]);
      expect(events).toBe(1);
    });

    it('makes one event of two identical reports sent at once', async () => {
      const input = (evidenceReference: string) => ({
        type: 'CHANGE_OF_NAME',
        personId: ids.cora,
        date: '2026-01-20',
        evidenceReference,
        newName: { givenName: 'Cora' },
      });
      const [a, b] = await Promise.all([
        report('registrar', input('DEEDPOLL:CORA-0001')),
        report('registrar', input('TUO:CORA-CALL-0001')),
      ]);
      expect(a.errors).toBeUndefined();
      expect(b.errors).toBeUndefined();
      expect(a.data!.reportLifeEvent.id).toBe(b.data!.reportLifeEvent.id);
      expect([a.data!.reportLifeEvent.repeat, b.data!.reportLifeEvent.repeat].sort()).toEqual([false, true]);
      const events = await sql(`select id from life_event where person_id = $1 and type = 'CHANGE_OF_NAME'`, [
        ids.cora,
      ]);
      expect(events).toHaveLength(1);
    });

    it('gives a receipt to the registrar, the DPO and admins, audited; not to a caseworker', async () => {
      const RECEIPT = `query ($id: ID!) { lifeEvent(id: $id) { id status deliveries { recipient status attempts lastError deliveredAt } } }`;
      const receipt = await gql('dpo', RECEIPT, { id: eventId });
      expect(receipt.errors).toBeUndefined();
      expect(receipt.data!.lifeEvent.deliveries).toHaveLength(2);
      const [viewed] = await sql(
        `select persons from audit_event where operation = 'life-event.view' and actor_subject = 'dpo-dee' order by seq desc limit 1`,
      );
      expect(viewed.persons).toContain(ids.ada);
      const refused = await gql('caseworker', RECEIPT, { id: eventId });
      expect(refused.errors?.[0].extensions.code).toBe('FORBIDDEN');
      const missing = await gql('registrar', RECEIPT, { id: '00000000-0000-4000-8000-000000000000' });
      expect(missing.errors?.[0].extensions.code).toBe('LIFE_EVENT_NOT_FOUND');
    });

    it('is withdrawn with a retraction to every recipient of a notice, and the index put back', async () => {
      const WITHDRAW = `mutation ($id: ID!, $reason: String!) { withdrawLifeEvent(id: $id, reason: $reason) {
          status deliveries { kind recipient status } } }`;
      const notTheirs = await gql('am', WITHDRAW, {
        id: eventId,
        reason: 'I think this one is wrong, withdrawing it.',
      });
      expect(notTheirs.errors?.[0].extensions.code).toBe('LIFE_EVENT_NOT_THE_REPORTER');
      const vague = await gql('registrar', WITHDRAW, { id: eventId, reason: 'wrong' });
      expect(vague.errors?.[0].extensions.code).toBe('INVALID_LIFE_EVENT');
      const body = await gql('registrar', WITHDRAW, {
        id: eventId,
        reason: 'The death was registered against the wrong person (a namesake).',
      });
      expect(body.errors).toBeUndefined();
      const withdrawn = body.data!.withdrawLifeEvent;
      expect(withdrawn.status).toBe('WITHDRAWN');
      expect(withdrawn.deliveries.map((d: Item) => `${d.kind}:${d.recipient}`).sort()).toEqual([
        'NOTICE:benefits',
        'NOTICE:housing',
        'RETRACTION:benefits',
        'RETRACTION:housing',
      ]);
      const retractions = await sql(
        `select d.id::text, d.payload, n.payload as notice from life_event_delivery d
           join life_event_delivery n on n.event_id = d.event_id and n.recipient = d.recipient and n.kind = 'NOTICE'
          where d.event_id = $1 and d.kind = 'RETRACTION'`,
        [eventId],
      );
      for (const r of retractions) expect(r.payload).toEqual(r.notice);
      const jobs = await sql(`select 1 from pgboss.job where name = $1 and data->>'deliveryId' = any($2)`, [
        DELIVERY_QUEUE,
        retractions.map((r) => r.id),
      ]);
      expect(jobs).toHaveLength(2);
      expect(
        await sql(`select 1 from audit_event where operation = 'life-event.retract' and detail->>'eventId' = $1`, [
          eventId,
        ]),
      ).toHaveLength(2);
      const [person] = await sql(`select date_of_death from person where id = $1`, [ids.ada]);
      expect(person.date_of_death).toBeNull();
      expect(await householdOf(ids.ada)).toBeDefined();
      const twice = await gql('registrar', WITHDRAW, {
        id: eventId,
        reason: 'Withdrawing it a second time, by mistake.',
      });
      expect(twice.errors?.[0].extensions.code).toBe('LIFE_EVENT_INVALID_TRANSITION');
    });
  });

  describe('validation', () => {
    const codeOf = (body: Awaited<ReturnType<typeof gql>>) => body.errors?.[0].extensions.code;

    it('refuses a death in the future or before birth, each problem named', async () => {
      const future = await report('registrar', {
        type: 'DEATH',
        personId: ids.dev,
        date: '2999-01-01',
        evidenceReference: 'GRO:DE-2999-0001',
      });
      expect(codeOf(future)).toBe('INVALID_LIFE_EVENT');
      expect(future.errors![0].extensions.details.problems).toEqual([
        { field: 'date', message: `is in the future (today is ${today})` },
      ]);
      const beforeBirth = await report('registrar', {
        type: 'DEATH',
        personId: ids.dev,
        date: '1960-01-01',
        evidenceReference: 'GRO:DE-1960-0001',
      });
      expect(codeOf(beforeBirth)).toBe('INVALID_LIFE_EVENT');
      expect(beforeBirth.errors![0].message).toMatch(/before the person's date of birth \(1962-11-30\)/);
    });

    it('refuses a move without a valid postcode, a birth without a parent, a name change without a name', async () => {
      const move = await report('registrar', {
        type: 'CHANGE_OF_ADDRESS',
        personId: ids.dev,
        date: '2026-01-01',
        evidenceReference: 'TUO:MOVE-1',
        newAddress: { lines: ['9 Nowhere Road'], postcode: 'NOT A POSTCODE', uprn: 'abc' },
      });
      expect(codeOf(move)).toBe('INVALID_LIFE_EVENT');
      expect(move.errors![0].extensions.details.problems.map((p: Item) => p.field)).toEqual([
        'newAddress.postcode',
        'newAddress.uprn',
      ]);
      const birth = await report('registrar', {
        type: 'BIRTH',
        date: '2026-01-01',
        evidenceReference: 'GRO:BI-1',
        child: { givenName: 'Ned', familyName: 'Ilkington' },
      });
      expect(birth.errors![0].extensions.details.problems.map((p: Item) => p.field)).toEqual(['parentIds']);
      const name = await report('registrar', {
        type: 'CHANGE_OF_NAME',
        personId: ids.dev,
        date: '2026-01-01',
        evidenceReference: 'DEEDPOLL:DP-0001',
        newName: {},
      });
      expect(name.errors![0].extensions.details.problems.map((p: Item) => p.field)).toEqual(['newName']);
    });

    it('refuses an unknown person, a caseworker, and staff of another organisation', async () => {
      const unknown = await report('registrar', {
        type: 'DEATH',
        personId: '00000000-0000-4000-8000-000000000001',
        date: '2026-01-01',
        evidenceReference: 'GRO:DE-2026-9999',
      });
      expect(codeOf(unknown)).toBe('LIFE_EVENT_UNKNOWN_PERSON');
      const input = { type: 'DEATH', personId: ids.dev, date: '2026-01-01', evidenceReference: 'GRO:DE-2026-0042' };
      expect(codeOf(await report('caseworker', input))).toBe('FORBIDDEN');
      expect(codeOf(await report('partnerAm', input))).toBe('LIFE_EVENT_REPORTER_NOT_COUNCIL');
      expect(await sql(`select 1 from life_event where evidence_reference = 'GRO:DE-2026-0042'`)).toHaveLength(0);
    });
  });

  describe('a move, a name change and a birth', () => {
    it('moves the person: the old membership closed, a new one opened, and the next re-resolution keeps it', async () => {
      const before = await householdOf(ids.cora);
      const body = await report('registrar', {
        type: 'CHANGE_OF_ADDRESS',
        personId: ids.cora,
        date: '2026-02-01',
        evidenceReference: 'TUO:MOVE-2026-0007',
        newAddress: { lines: ['12 Elm Grove'], postcode: 'ls9 9zz', uprn: '900009' },
      });
      expect(body.errors).toBeUndefined();
      const event = body.data!.reportLifeEvent;
      expect(event.status).toBe('ACCEPTED');
      const [housing] = await sql(
        `select payload from life_event_delivery where event_id = $1 and recipient = 'housing'`,
        [event.id],
      );
      expect(housing.payload.released['hub.lifeEvent.newAddress']).toEqual({
        lines: ['12 Elm Grove'],
        postcode: 'LS9 9ZZ',
        uprn: '900009',
      });
      const after = await householdOf(ids.cora);
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      const [home] = await sql(`select uprn from household where id = $1`, [after]);
      expect(home.uprn).toBe('900009');
      const [closed] = await sql(
        `select valid_to from household_membership where person_id = $1 and household_id = $2`,
        [ids.cora, before],
      );
      expect(closed.valid_to).not.toBeNull();
      await hub.app.get(HouseholdsService).resolveAll();
      expect(await householdOf(ids.cora)).toBe(after);
    });

    it('changes the name in the golden identity and keeps the previous family name', async () => {
      const body = await report('registrar', {
        type: 'CHANGE_OF_NAME',
        personId: ids.dev,
        date: '2026-02-02',
        evidenceReference: 'DEEDPOLL:DEV-1',
        newName: { familyName: 'Ashgrove' },
      });
      expect(body.errors).toBeUndefined();
      const PERSON = `query ($id: ID!) { person(id: $id) { familyName previousFamilyNames givenName } }`;
      const seen = await gql('steward', PERSON, { id: ids.dev }, { 'x-purpose': 'DATA_QUALITY' });
      expect(seen.errors).toBeUndefined();
      expect(seen.data!.person).toEqual({
        familyName: 'Ashgrove',
        previousFamilyNames: ['Ilkington'],
        givenName: 'Devorah',
      });
    });

    it('adds a child born to the household of the parent', async () => {
      const body = await report('registrar', {
        type: 'BIRTH',
        date: '2026-02-03',
        evidenceReference: 'GRO:BI-2026-000333',
        parentIds: [ids.bert],
        child: { givenName: 'Wilhelmina', familyName: 'Quennell', sex: 'F' },
      });
      expect(body.errors).toBeUndefined();
      const event = body.data!.reportLifeEvent;
      expect(event.parentIds).toEqual([ids.bert]);
      expect(event.personId).not.toBe(ids.bert);
      expect(await householdOf(event.personId)).toBe(await householdOf(ids.bert));
      const [housing] = await sql(
        `select payload from life_event_delivery where event_id = $1 and recipient = 'housing'`,
        [event.id],
      );
      expect(housing.payload.sourceKeys).toEqual(['H-BERT']);
      expect(housing.payload.released['hub.lifeEvent.child']).toEqual({
        givenName: 'Wilhelmina',
        familyName: 'Quennell',
        sex: 'F',
        dateOfBirth: '2026-02-03',
      });
      // A twin is another event; the same child reported again is not.
      const again = await report('registrar', {
        type: 'BIRTH',
        date: '2026-02-03',
        evidenceReference: 'TUO:BIRTH-CALL-9',
        parentIds: [ids.bert],
        child: { givenName: 'Wilhelmina', familyName: 'Quennell' },
      });
      expect(again.data!.reportLifeEvent).toMatchObject({ id: event.id, repeat: true });
    });
  });

  describe('a report by description', () => {
    it('is matched at once when certain', async () => {
      const body = await report('registrar', {
        type: 'CHANGE_OF_NAME',
        person: { givenName: 'Bertram', familyName: 'Quennell', dateOfBirth: '1948-07-09' },
        date: '2026-02-05',
        evidenceReference: 'DEEDPOLL:BERT-1',
        newName: { givenName: 'Bert' },
      });
      expect(body.errors).toBeUndefined();
      expect(body.data!.reportLifeEvent).toMatchObject({ status: 'ACCEPTED', personId: ids.bert });
    });

    it('waits for a data steward when uncertain, delivering nothing until accepted', async () => {
      const uncertain = {
        type: 'DEATH',
        person: { givenName: 'Coralie', familyName: 'Vantongeren', dateOfBirth: '1985-12-04', postcode: 'LS1 1AA' },
        date: '2026-02-06',
        evidenceReference: 'GRO:DE-2026-000555',
      };
      const body = await report('registrar', uncertain);
      expect(body.errors).toBeUndefined();
      const event = body.data!.reportLifeEvent;
      expect(event).toMatchObject({ status: 'AWAITING_MATCH', deliveries: [] });
      expect(event.personId).toBeNull();
      expect(event.matchCandidates.map((c: Item) => c.personId)).toContain(ids.cora);
      const LIST = `{ lifeEvents(filter: { status: AWAITING_MATCH }) { items { id matchCandidates { personId } } } }`;
      const queue = await gql('steward', LIST);
      expect(queue.data!.lifeEvents.items.map((e: Item) => e.id)).toContain(event.id);
      const ACCEPT = `mutation ($id: ID!, $personId: ID!) { acceptLifeEventMatch(id: $id, personId: $personId, note: "date of birth mistyped") {
          status personId deliveries { recipient kind } } }`;
      expect((await gql('registrar', ACCEPT, { id: event.id, personId: ids.cora })).errors?.[0].extensions.code).toBe(
        'FORBIDDEN',
      );
      const accepted = await gql('steward', ACCEPT, { id: event.id, personId: ids.cora });
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data!.acceptLifeEventMatch.status).toBe('ACCEPTED');
      expect(accepted.data!.acceptLifeEventMatch.personId).toBe(ids.cora);
      expect(accepted.data!.acceptLifeEventMatch.deliveries.map((d: Item) => d.recipient).sort()).toEqual([
        'benefits',
        'housing',
      ]);
      const twice = await gql('steward', ACCEPT, { id: event.id, personId: ids.cora });
      expect(twice.errors?.[0].extensions.code).toBe('LIFE_EVENT_INVALID_TRANSITION');
    });

    it('is rejected by a data steward when it is no one in the index', async () => {
      const body = await report('registrar', {
        type: 'DEATH',
        person: { givenName: 'Coralie', familyName: 'Vantongerenn', dateOfBirth: '1958-04-12' },
        date: '2026-02-07',
        evidenceReference: 'GRO:DE-2026-000556',
      });
      const event = body.data!.reportLifeEvent;
      expect(event.status).toBe('AWAITING_MATCH');
      const REJECT = `mutation ($id: ID!) { rejectLifeEventMatch(id: $id, note: "not in the index") { status deliveries { id } } }`;
      const rejected = await gql('steward', REJECT, { id: event.id });
      expect(rejected.data!.rejectLifeEventMatch).toEqual({ status: 'REJECTED', deliveries: [] });
      // Withdrawn, its evidence reference may be reported again (as a new report, not a repeat).
      const WITHDRAW = `mutation ($id: ID!) { withdrawLifeEvent(id: $id, reason: "Rejected: the register entry is for someone else.") { status deliveries { id } } }`;
      expect((await gql('registrar', WITHDRAW, { id: event.id })).data!.withdrawLifeEvent).toEqual({
        status: 'WITHDRAWN',
        deliveries: [],
      });
      const again = await report('registrar', {
        type: 'DEATH',
        person: { givenName: 'Coralie', familyName: 'Vantongerenn', dateOfBirth: '1958-04-12' },
        date: '2026-02-07',
        evidenceReference: 'GRO:DE-2026-000556',
      });
      expect(again.data!.reportLifeEvent.repeat).toBe(false);
      expect(again.data!.reportLifeEvent.id).not.toBe(event.id);
      await gql('steward', REJECT, { id: again.data!.reportLifeEvent.id });
    });
  });

  describe('alerts to case holders', () => {
    const NOTIFICATIONS = `{ notifications { id eventId personId type date team } }`;

    const ASSIGN = `mutation ($input: AssignCaseInput!) { assignCase(input: $input) { id } }`;

    it("alerts the team holding the person's case; released under the caller's purpose and audited", async () => {
      const assigned = await gql('admin', ASSIGN, {
        input: { subjectKind: 'PERSON', subjectId: ids.bert, team: 'early-help-north' },
      });
      expect(assigned.errors).toBeUndefined();
      const body = await report('registrar', {
        type: 'DEATH',
        personId: ids.bert,
        date: '2026-02-08',
        evidenceReference: 'GRO:DE-2026-000777',
      });
      const eventId = body.data!.reportLifeEvent.id;
      const noPurpose = await gql('am', NOTIFICATIONS);
      expect(noPurpose.errors?.[0].extensions.code).toBe('PURPOSE_REQUIRED');
      const mine = await gql('am', NOTIFICATIONS, {}, { 'x-purpose': 'EARLY_HELP' });
      expect(mine.errors).toBeUndefined();
      const alert = mine.data!.notifications.find((n: Item) => n.eventId === eventId);
      expect(alert).toMatchObject({ personId: ids.bert, type: 'DEATH', date: '2026-02-08', team: 'early-help-north' });
      const [audited] = await sql(
        `select persons, released from audit_event where operation = 'life-event.notifications' and actor_subject = 'am-alice' order by seq desc limit 1`,
      );
      expect(audited.persons).toContain(ids.bert);
      expect(audited.released).toEqual(expect.arrayContaining([{ source: 'hub', field: 'lifeEvent.type' }]));
      // The person stays findable, with the date of death on the golden identity (hub.identity.dateOfDeath).
      const person = await gql(
        'am',
        `query ($id: ID!) { person(id: $id) { familyName dateOfDeath } }`,
        { id: ids.bert },
        {
          'x-purpose': 'EARLY_HELP',
        },
      );
      expect(person.data!.person).toEqual({ familyName: 'Quennell', dateOfDeath: '2026-02-08' });
      const other = await gql('amOther', NOTIFICATIONS, {}, { 'x-purpose': 'EARLY_HELP' });
      expect(other.data!.notifications).toEqual([]);
      const READ = `mutation ($id: ID!) { markLifeEventNotificationRead(id: $id) }`;
      expect((await gql('amOther', READ, { id: alert.id })).data!.markLifeEventNotificationRead).toBe(false);
      expect((await gql('am', READ, { id: alert.id })).data!.markLifeEventNotificationRead).toBe(true);
    });

    it("alerts the team holding the household's case of a member's event", async () => {
      const household = await householdOf(ids.dev);
      const assigned = await gql('admin', ASSIGN, {
        input: { subjectKind: 'HOUSEHOLD', subjectId: household, team: 'early-help-south' },
      });
      expect(assigned.errors).toBeUndefined();
      const body = await report('registrar', {
        type: 'CHANGE_OF_NAME',
        personId: ids.dev,
        date: '2026-02-09',
        evidenceReference: 'DEEDPOLL:DEV-0002',
        newName: { givenName: 'Dee' },
      });
      expect(body.errors).toBeUndefined();
      const theirs = await gql('amOther', NOTIFICATIONS, {}, { 'x-purpose': 'EARLY_HELP' });
      expect(theirs.errors).toBeUndefined();
      expect(theirs.data!.notifications).toEqual([
        expect.objectContaining({ personId: ids.dev, type: 'CHANGE_OF_NAME', team: 'early-help-south' }),
      ]);
      const mine = await gql('am', NOTIFICATIONS, {}, { 'x-purpose': 'EARLY_HELP' });
      expect(mine.data!.notifications.map((n: Item) => n.personId)).not.toContain(ids.dev);
    });
  });

  describe('receipts and subscriptions', () => {
    it('pages through life events, newest first', async () => {
      const PAGE = `query ($after: String) { lifeEvents(first: 2, after: $after) { nextCursor items { id reportedAt } } }`;
      const seen: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 20; i++) {
        const body = await gql('admin', PAGE, { after });
        expect(body.errors).toBeUndefined();
        seen.push(...body.data!.lifeEvents.items.map((e: Item) => e.id));
        after = body.data!.lifeEvents.nextCursor ?? undefined;
        if (!after) break;
      }
      const [{ count }] = await sql(`select count(*)::int as count from life_event`);
      expect(seen).toHaveLength(count);
      expect(new Set(seen).size).toBe(count);
      const BY_PERSON = `query ($personId: ID!) { lifeEvents(filter: { personId: $personId, status: ACCEPTED }) { items { type personId parentIds } } }`;
      const bertsEvents = await gql('dpo', BY_PERSON, { personId: ids.bert });
      expect(bertsEvents.errors).toBeUndefined();
      // His own events, and the birth he is a parent in.
      expect(bertsEvents.data!.lifeEvents.items.map((e: Item) => e.type).sort()).toEqual([
        'BIRTH',
        'CHANGE_OF_NAME',
        'DEATH',
      ]);
      const bad = await gql('admin', PAGE, { after: 'not-a-cursor' });
      expect(bad.errors?.[0].extensions.code).toBe('INVALID_LIFE_EVENT');
    });

    it('lets an admin subscribe a partner at an HTTPS webhook and end it; nobody else', async () => {
      const SUBSCRIBE = `mutation ($input: SubscribeToLifeEventsInput!) { subscribeToLifeEvents(input: $input) { id recipient organisation eventType active } }`;
      const input = {
        recipientKind: 'PARTNER',
        recipient: 'nhs-trust',
        organisation: 'nhs-trust',
        eventTypes: ['DEATH'],
        webhookUrl: 'http://partner.example/hook',
      };
      expect((await gql('admin', SUBSCRIBE, { input })).errors?.[0].extensions.code).toBe(
        'INVALID_LIFE_EVENT_SUBSCRIPTION',
      );
      expect((await gql('dpo', SUBSCRIBE, { input })).errors?.[0].extensions.code).toBe('FORBIDDEN');
      const made = await gql('admin', SUBSCRIBE, { input: { ...input, webhookUrl: 'https://partner.example/hook' } });
      expect(made.errors).toBeUndefined();
      const [subscription] = made.data!.subscribeToLifeEvents;
      expect(subscription).toMatchObject({ recipient: 'nhs-trust', eventType: 'DEATH', active: true });
      const listed = await gql('dpo', `{ lifeEventSubscriptions(activeOnly: true) { recipient eventType } }`);
      expect(listed.data!.lifeEventSubscriptions).toContainEqual({ recipient: 'nhs-trust', eventType: 'DEATH' });
      const ended = await gql('admin', `mutation ($id: ID!) { endLifeEventSubscription(id: $id) { active } }`, {
        id: subscription.id,
      });
      expect(ended.data!.endLifeEventSubscription.active).toBe(false);
    });
  });

  describe('an account manager reporting', () => {
    it('reports only for someone on their caseload, by id, and is not told which services were told', async () => {
      const input = (personId: string, evidenceReference: string) => ({
        type: 'CHANGE_OF_NAME',
        personId,
        date: '2026-02-11',
        evidenceReference,
        newName: { familyName: 'Ilkington-Hart' },
      });
      // Off the caseload, or an id the hub does not know: the same refusal, audited, and nothing stored.
      const off = await report('am', input(ids.dev, 'DEEDPOLL:AM-0001'));
      expect(off.errors?.[0].extensions.code).toBe('NO_LEGITIMATE_RELATIONSHIP');
      const unknown = await report('am', input('00000000-0000-4000-8000-00000000abcd', 'DEEDPOLL:AM-0002'));
      expect(unknown.errors?.[0].extensions.code).toBe('NO_LEGITIMATE_RELATIONSHIP');
      expect(unknown.errors?.[0].message).toBe(off.errors?.[0].message);
      const [refusal] = await sql(
        `select decision, persons from audit_event where operation = 'life-event.report' and actor_subject = 'am-alice' order by seq desc limit 1`,
      );
      expect(refusal.decision).toBe('deny');
      expect(
        await sql(`select id from life_event where evidence_reference in ('DEEDPOLL:AM-0001', 'DEEDPOLL:AM-0002')`),
      ).toEqual([]);
      // By description: for registrars only (a described search would say who resembles it).
      const described = await report('am', {
        type: 'CHANGE_OF_NAME',
        person: { givenName: dev.givenName, familyName: dev.familyName, dateOfBirth: dev.dateOfBirth },
        date: '2026-02-11',
        evidenceReference: 'DEEDPOLL:AM-0003',
        newName: { familyName: 'Ilkington-Hart' },
      });
      expect(described.errors?.[0].extensions.code).toBe('INVALID_LIFE_EVENT');
      // On the caseload: accepted, and answered without the deliveries (which would name the services).
      const assigned = await gql('admin', `mutation ($input: AssignCaseInput!) { assignCase(input: $input) { id } }`, {
        input: { subjectKind: 'PERSON', subjectId: ids.dev, team: 'early-help-north' },
      });
      expect(assigned.errors).toBeUndefined();
      const accepted = await report('am', input(ids.dev, 'DEEDPOLL:AM-0004'));
      expect(accepted.errors).toBeUndefined();
      expect(accepted.data!.reportLifeEvent).toMatchObject({ status: 'ACCEPTED', deliveries: [], notDelivered: [] });
      const [{ n }] = await sql(`select count(*)::int as n from life_event_delivery where event_id = $1`, [
        accepted.data!.reportLifeEvent.id,
      ]);
      expect(n).toBeGreaterThan(0);
    });
  });
});
