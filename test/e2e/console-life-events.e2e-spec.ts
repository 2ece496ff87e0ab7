import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { Principal, Role } from '../../src/engine/principal';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { consolePersona, csrfOf, signedInToConsole } from '../support/console-agent';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(180_000);

const admin: Principal = { subject: 'admin-life-events', organisation: 'council', roles: [Role.Admin] };

/**
 * Tell Us Once in the console (docs/console.md, "For registrars and contact-centre staff"): a registrar
 * reports a life event on a form, reads its receipt and the list of reports, and withdraws a wrong one;
 * every step through the hub's life-event API, which checks, delivers and audits. Account managers report
 * too, without the receipts of others; other roles have no such pages.
 */
describe('console: Tell Us Once for registrars', () => {
  let hub: SingleViewHub;
  let base: string;
  let person: { id: string; dateOfBirth: string };
  let dayBefore: { day: string; month: string; year: string };
  let twoDaysBefore: { day: string; month: string; year: string };
  let threeDaysBefore: { day: string; month: string; year: string };

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 30, seed: 'console-life-events' });
    const server = hub.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // An adult the housing and benefits systems both know: their notices have somewhere to go.
    const [row] = await hub.db.dataSource.query(
      `select l.person_id::text as id, min(r.demographics->>'dateOfBirth') as "dateOfBirth"
         from person_link l join source_record r on r.id = l.source_record_id
        where r.source in ('housing', 'benefits') and r.demographics->>'dateOfBirth' < '1990-01-01'
        group by l.person_id having count(distinct r.source) = 2 order by l.person_id limit 1`,
    );
    person = row;
    // The demo subscriptions (every source system told of every kind of event, under its agreements), and
    // the person on the account manager's team's caseload: an account manager reports only for their cases.
    await hub.app.get(LifeEventSubscriptionsService).seedDemo();
    await hub.app
      .get(CaseAssignmentsService)
      .assign(
        { subjectKind: 'person', subjectId: person.id, team: consolePersona('Account manager').token.team! },
        admin,
      );
    const daysAgo = (n: number) => {
      const day = new Date(Date.now() - n * 86_400_000);
      return {
        day: String(day.getUTCDate()),
        month: String(day.getUTCMonth() + 1),
        year: String(day.getUTCFullYear()),
      };
    };
    dayBefore = daysAgo(1);
    twoDaysBefore = daysAgo(2);
    threeDaysBefore = daysAgo(3);
  });
  afterAll(() => hub?.stop());

  const signedIn = async (name: string, purpose: string) => {
    const { agent, chosen } = await signedInToConsole(base, name, purpose);
    return { agent, chosen: chosen! };
  };

  /** The form's three date fields for a day. */
  const on = (day: { day: string; month: string; year: string }) => ({
    dateDay: day.day,
    dateMonth: day.month,
    dateYear: day.year,
  });

  const report = async (agent: ReturnType<typeof request.agent>, fields: Record<string, string>) => {
    const form = await agent.get('/console/life-events/new').expect(200);
    return agent
      .post('/console/life-events')
      .type('form')
      .send({ _csrf: csrfOf(form.text), ...fields });
  };

  const auditCount = async (subject: string, operation: string) =>
    (
      await hub.db.dataSource.query(
        `select count(*)::int as n from audit_event where actor_subject = $1 and operation = $2`,
        [subject, operation],
      )
    )[0].n as number;

  it('lands a registrar on Tell us once, reports a death on the form, and shows its receipt and who is told', async () => {
    const { agent, chosen } = await signedIn('Registrar', 'TELL_US_ONCE');
    expect(chosen.headers.location).toBe('/console/life-events');
    const list = await agent.get('/console/life-events').expect(200);
    expect(list.text).toContain('href="/console/life-events/new"');
    // A registrar does not search the single view: no Search in their navigation.
    expect(list.text).not.toContain('href="/console/search"');
    const reports = await auditCount('demo.registrar', 'life-event.report');

    const evidenceReference = `GRO:DE-${Date.now()}`;
    const sent = await report(agent, {
      type: 'DEATH',
      personId: person.id,
      ...on(dayBefore),
      evidenceReference,
    });
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(/govuk-panel__title">\s*Reported\s*</);
    expect(sent.text).toMatch(/data-testid="status"><strong class="govuk-tag govuk-tag--green">Accepted/);
    expect(sent.text).toContain(evidenceReference);
    // Each source system that knows the person is told (its notice queued, or already delivered).
    const deliveries = /data-testid="deliveries"[\s\S]*?<\/table>/.exec(sent.text)?.[0] ?? '';
    for (const source of ['housing', 'benefits']) expect(deliveries).toContain(`>${source}<`);
    expect(await auditCount('demo.registrar', 'life-event.report')).toBe(reports + 1);

    const [event] = await hub.db.dataSource.query(
      `select id::text as id, type, person_id::text as person from life_event where evidence_reference = $1`,
      [evidenceReference],
    );
    expect(event).toEqual({ id: expect.any(String), type: 'DEATH', person: person.id });

    // The same report again is the same event: nothing is sent again.
    const again = await report(agent, {
      type: 'DEATH',
      personId: person.id,
      ...on(dayBefore),
      evidenceReference,
    });
    expect(again.text).toMatch(/govuk-panel__title">\s*Already reported\s*</);
    expect(await auditCount('demo.registrar', 'life-event.repeat')).toBeGreaterThan(0);

    // The list links to the receipt; the receipt is read through the API, and audited as a view.
    const listed = await agent.get('/console/life-events').expect(200);
    expect(listed.text).toContain(`href="/console/life-events/${event.id}"`);
    const views = await auditCount('demo.registrar', 'life-event.view');
    const receipt = await agent.get(`/console/life-events/${event.id}`).expect(200);
    expect(receipt.text).toContain(evidenceReference);
    expect(await auditCount('demo.registrar', 'life-event.view')).toBe(views + 1);

    // Withdrawn in error: a reason the API refuses shows on the receipt; a good one withdraws it.
    const short = await agent
      .post(`/console/life-events/${event.id}/withdraw`)
      .type('form')
      .send({ _csrf: csrfOf(receipt.text), reason: 'typo' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('govuk-error-summary');
    expect(short.text).toContain('>typo</textarea>');
    const withdrawn = await agent
      .post(`/console/life-events/${event.id}/withdraw`)
      .type('form')
      .send({ _csrf: csrfOf(short.text), reason: 'The register entry was for another person with the same name' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.text).toMatch(/data-testid="status"><strong class="govuk-tag govuk-tag--grey">Withdrawn/);
    const [after] = await hub.db.dataSource.query(`select status from life_event where id = $1`, [event.id]);
    expect(after.status).toBe('WITHDRAWN');
  });

  it('lets the DPO send a delivery that gave up again, from the receipt; a registrar only sees it', async () => {
    const { agent } = await signedIn('Registrar', 'TELL_US_ONCE');
    const evidenceReference = `EDRMS:MV-RETRY-${Date.now()}`;
    const sent = await report(agent, {
      type: 'CHANGE_OF_ADDRESS',
      personId: person.id,
      addressLine1: '2 Retry Road',
      newPostcode: 'SE5 9AA',
      ...on(threeDaysBefore),
      evidenceReference,
    });
    expect(sent.status).toBe(200);
    // The housing system's notice gave up after its attempts (as the workers leave one: DEAD, with why).
    // (An `update ... returning` answers [rows, count] through TypeORM's PostgreSQL driver.)
    const [[dead]] = await hub.db.dataSource.query(
      `update life_event_delivery d set status = 'DEAD', attempts = 5, last_error = 'HTTP 503 from the recipient'
         from life_event e where e.id = d.event_id and e.evidence_reference = $1 and d.recipient = 'housing'
       returning d.id::text as id, d.event_id::text as event`,
      [evidenceReference],
    );
    const mine = await agent.get(`/console/life-events/${dead.event}`).expect(200);
    expect(mine.text).not.toContain('data-testid="dead-deliveries"');

    const { agent: dpo } = await signedIn('DPO', 'SAFEGUARDING');
    const receipt = await dpo.get(`/console/life-events/${dead.event}`).expect(200);
    expect(receipt.text).toMatch(/data-testid="dead-deliveries"[\s\S]*?housing<\/strong>: HTTP 503 from the recipient/);
    const retries = await auditCount('demo.dpo', 'life-event.delivery-retried');
    const retried = await dpo
      .post(`/console/life-events/${dead.event}/deliveries/${dead.id}/retry`)
      .type('form')
      .send({ _csrf: csrfOf(receipt.text) });
    expect(retried.status).toBe(200);
    expect(retried.text).toContain('Sent again to housing.');
    expect(retried.text).not.toContain('data-testid="dead-deliveries"');
    const [after] = await hub.db.dataSource.query(`select status from life_event_delivery where id = $1`, [dead.id]);
    expect(after.status).toBe('PENDING');
    expect(await auditCount('demo.dpo', 'life-event.delivery-retried')).toBe(retries + 1);
    // Only a delivery that gave up is sent again by hand: the API refuses this one now, and the page says why.
    const again = await dpo
      .post(`/console/life-events/${dead.event}/deliveries/${dead.id}/retry`)
      .type('form')
      .send({ _csrf: csrfOf(retried.text) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Only a dead-lettered delivery can be retried');
  });

  it('shows every problem of a report at once, each linked to its field, and keeps what was typed', async () => {
    const { agent } = await signedIn('Registrar', 'TELL_US_ONCE');
    const nextYear = String(new Date().getUTCFullYear() + 1);
    const sent = await report(agent, {
      type: 'CHANGE_OF_ADDRESS',
      personId: person.id,
      dateDay: '1',
      dateMonth: '2',
      dateYear: nextYear,
      evidenceReference: 'not a reference',
      addressLine1: '1 New Street',
      newPostcode: 'NOT A POSTCODE',
    });
    expect(sent.status).toBe(400);
    const summary = /govuk-error-summary[\s\S]*?<\/ul>/.exec(sent.text)?.[0] ?? '';
    for (const anchor of ['#date-day', '#evidenceReference', '#newPostcode'])
      expect(summary).toContain(`href="${anchor}"`);
    expect(sent.text).toContain('value="1 New Street"');
    expect(sent.text).toContain(`value="${nextYear}"`);
    // A description without the names: the API's own words, on the person's fields, not a GraphQL type error.
    const nameless = await report(agent, {
      type: 'DEATH',
      postcode: 'SE5 9AA',
      dateDay: '1',
      dateMonth: '1',
      dateYear: '2026',
      evidenceReference: 'GRO:DE-2026-000777',
    });
    expect(nameless.status).toBe(400);
    expect(/govuk-error-summary[\s\S]*?<\/ul>/.exec(nameless.text)?.[0]).toMatch(
      /href="#(givenName|dob-day|personId)"/,
    );
    expect(nameless.text).not.toMatch(/of required type|was not provided/);
    // No type chosen: the form says so before asking the API.
    const none = await report(agent, { evidenceReference: 'GRO:X-1' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose what happened');
  });

  it('takes a report by description: an uncertain match waits for a data steward, and nothing is sent', async () => {
    const { agent } = await signedIn('Registrar', 'TELL_US_ONCE');
    const sent = await report(agent, {
      type: 'CHANGE_OF_NAME',
      givenName: 'Nobody',
      familyName: 'Knownbythisname',
      dobDay: '1',
      dobMonth: '1',
      dobYear: '1970',
      newFamilyName: 'Othername',
      ...on(dayBefore),
      evidenceReference: `DEEDPOLL:DP-${Date.now()}`,
    });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('A data steward decides who it is about before anyone is told');
    expect(sent.text).toMatch(/govuk-tag--yellow">Awaiting a data steward/);
    expect(sent.text).not.toContain('data-testid="deliveries"');
    // The registrar cannot decide it; a data steward does, here that it is about no one in the index.
    expect(sent.text).not.toContain('data-testid="decide"');
    const [event] = await hub.db.dataSource.query(
      `select id::text as id from life_event where status = 'AWAITING_MATCH' order by reported_at desc limit 1`,
    );
    const { agent: steward } = await signedIn('Data steward', 'DATA_QUALITY');
    // The stewards' queue: the list filtered to the reports awaiting them, this one among them, no other status.
    const queue = await steward.get('/console/life-events?status=AWAITING_MATCH').expect(200);
    expect(queue.text).toContain(`href="/console/life-events/${event.id}"`);
    const listed = /data-testid="life-events"[\s\S]*?<\/table>/.exec(queue.text)?.[0] ?? '';
    expect(listed.match(/govuk-tag--/g)?.length).toBe(listed.match(/Awaiting a data steward/g)?.length);
    const receipt = await steward.get(`/console/life-events/${event.id}`).expect(200);
    expect(receipt.text).toContain('data-testid="decide"');
    expect(receipt.text).toContain('value="none"');
    const decided = await steward
      .post(`/console/life-events/${event.id}/decide`)
      .type('form')
      .send({ _csrf: csrfOf(receipt.text), choice: 'none', note: 'No such person in any source' });
    expect(decided.status).toBe(200);
    expect(decided.text).toMatch(/govuk-tag--red">Rejected/);
    const [after] = await hub.db.dataSource.query(`select status from life_event where id = $1`, [event.id]);
    expect(after.status).toBe('REJECTED');
    // Deciding twice is refused with a page that says why.
    const twice = await steward
      .post(`/console/life-events/${event.id}/decide`)
      .type('form')
      .send({ _csrf: csrfOf(decided.text), choice: 'none' });
    expect(twice.status).toBe(400);
    expect(twice.text).toContain('Nothing was decided');
  });

  it('lets a data steward say who a report by description is about: it is then delivered as any report', async () => {
    const { agent } = await signedIn('Registrar', 'TELL_US_ONCE');
    // The person's own names, with a date of birth a day off: close, but not sure enough to go ahead alone.
    const [named] = await hub.db.dataSource.query(
      `select r.demographics->>'givenName' as "givenName", r.demographics->>'familyName' as "familyName"
         from person_link l join source_record r on r.id = l.source_record_id where l.person_id = $1 limit 1`,
      [person.id],
    );
    const sent = await report(agent, {
      type: 'CHANGE_OF_NAME',
      givenName: named.givenName,
      familyName: named.familyName,
      dobDay: '1',
      dobMonth: '1',
      dobYear: '1901',
      newFamilyName: 'Steward-Decided',
      ...on(dayBefore),
      evidenceReference: `DEEDPOLL:DP-ST-${Date.now()}`,
    });
    expect(sent.text).toMatch(/Awaiting a data steward/);
    const [event] = await hub.db.dataSource.query(
      `select id::text as id from life_event where status = 'AWAITING_MATCH' order by reported_at desc limit 1`,
    );
    const { agent: steward } = await signedIn('Data steward', 'DATA_QUALITY');
    const receipt = await steward.get(`/console/life-events/${event.id}`).expect(200);
    const decided = await steward
      .post(`/console/life-events/${event.id}/decide`)
      .type('form')
      .send({
        _csrf: csrfOf(receipt.text),
        choice: person.id,
        note: 'Same names and address; the date of birth was mistyped',
      });
    expect(decided.status).toBe(200);
    expect(decided.text).toMatch(/govuk-tag--green">Accepted/);
    expect(decided.text).toContain(person.id);
    const [after] = await hub.db.dataSource.query(
      `select status, person_id::text as person from life_event where id = $1`,
      [event.id],
    );
    expect(after).toEqual({ status: 'ACCEPTED', person: person.id });
  });

  it('lets an account manager report, without the list of reports; other roles have no such pages', async () => {
    const { agent } = await signedIn('Account manager', 'EARLY_HELP');
    const page = await agent.get('/console/life-events').expect(200);
    expect(page.text).toContain('href="/console/life-events/new"');
    expect(page.text).not.toContain('data-testid="life-events"');
    // From the person's record, the form with their hub id filled in.
    const record = await agent.get(`/console/people/${person.id}`).expect(200);
    expect(record.text).toContain(`href="/console/life-events/new?personId=${person.id}"`);
    const prefilled = await agent.get(`/console/life-events/new?personId=${person.id}`).expect(200);
    expect(prefilled.text).toMatch(new RegExp(`id="personId" name="personId" type="text"[^>]*value="${person.id}"`));
    const sent = await report(agent, {
      type: 'CHANGE_OF_NAME',
      personId: person.id,
      newGivenName: 'Renamed',
      // Not the day of the steward's decided change of name above: that would be the same event again.
      ...on(twoDaysBefore),
      evidenceReference: `DEEDPOLL:DP-AM-${Date.now()}`,
    });
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(/govuk-panel__title">\s*Reported\s*</);
    const [event] = await hub.db.dataSource.query(
      `select id::text as id from life_event where reported_by ->> 'subject' = 'demo.account-manager' order by reported_at desc limit 1`,
    );
    // Receipts are the registrars', the DPO's and the stewards': the API refuses the account manager's read.
    const receipt = await agent.get(`/console/life-events/${event.id}`);
    expect(receipt.status).toBe(403);

    const { agent: caseworker } = await signedIn('Caseworker', 'EARLY_HELP');
    await caseworker.get('/console/life-events').expect(403);
    await caseworker.get('/console/life-events/new').expect(403);
  });
});
