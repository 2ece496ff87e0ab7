import { request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { Principal, Role } from '../../src/engine/principal';
import { consolePersonas } from '../../src/console/console-router';
import { ukDay } from '../../src/console/console-cells';
import { HOUSEHOLD_QUERY, PERSON_QUERY } from '../../src/console/console-pages';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(180_000);

const admin: Principal = { subject: 'admin-console', organisation: 'council', roles: [Role.Admin] };
const persona = (name: string) => consolePersonas.find((p) => p.name === name)!;

/**
 * The console over HTTP (docs/console.md): sign-in, CSRF, sessions, purpose first, and pages that show
 * exactly what the GraphQL API releases to the same user for the same purpose, each page audited.
 */
describe('console: sign-in, sessions and pages over the API', () => {
  let hub: SingleViewHub;
  let base: string;
  let onCaseload: { household: string; person: string };
  let offCaseload: string;

  beforeAll(async () => {
    hub = await startSingleViewHub({
      households: 40,
      seed: 'console',
      env: { CONSOLE_COUNCIL_NAME: 'Demo Borough Council' },
    });
    const server = hub.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [household] = await hub.db.dataSource.query(
      `select household_id::text as household, min(person_id::text) as person from household_membership
        where valid_to is null group by household_id order by count(*) desc, household_id limit 1`,
    );
    onCaseload = household;
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: household.household, team: 'early-help-north' }, admin);
    const [other] = await hub.db.dataSource.query(
      `select m.person_id::text as id from household_membership m where m.valid_to is null and m.household_id <> $1 order by m.person_id limit 1`,
      [household.household],
    );
    offCaseload = other.id;
  });
  afterAll(() => hub?.stop());

  /** The CSRF token of the last page the agent was given. */
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  /** An agent signed in as `name` with `purpose` chosen. */
  const signedIn = async (name: string, purpose?: string) => {
    const agent = request.agent(base);
    const start = await agent.get('/console').expect(200);
    await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ _csrf: csrfOf(start.text), persona: persona(name).id })
      .expect(303)
      .expect('location', '/console/purpose');
    if (purpose) {
      const page = await agent.get('/console/purpose').expect(200);
      await agent
        .post('/console/purpose')
        .type('form')
        .send({ _csrf: csrfOf(page.text), purpose })
        .expect(303);
    }
    return agent;
  };

  const auditFor = async (subject: string, operation: string) =>
    (await hub.db.dataSource.query(
      `select operation, persons, purpose, request_id from audit_event where actor_subject = $1 and operation = $2 order by seq`,
      [subject, operation],
    )) as { operation: string; persons: string[]; purpose: string; request_id: string }[];

  it("shows the council's name, and no GOV.UK crown, logotype or Crown copyright: a council's service, not GOV.UK's", async () => {
    const pages = [
      (await request(base).get('/console').expect(200)).text,
      (await (await signedIn('Account manager', 'EARLY_HELP')).get('/console/caseload').expect(200)).text,
    ];
    for (const html of pages) {
      expect(html).toMatch(/class="govuk-generic-header"[\s\S]*?href="\/console"[^>]*>\s*Demo Borough Council\s*</);
      expect(html).toMatch(/data-testid="footer"[\s\S]*© Demo Borough Council/);
      // The crown's outline (header, footer), the GOV.UK logotype, Crown copyright and the crown icons.
      for (const govuk of ['M33.1,9.8', 'govuk-logo', 'govuk-header__', 'Crown copyright', 'govuk-icon', 'favicon'])
        expect({ govuk, found: html.includes(govuk) }).toEqual({ govuk, found: false });
    }
  });

  it('offers one sign-in button per demo persona, labelled with its name', async () => {
    const page = await request(base).get('/console').expect(200);
    for (const name of ['Account manager', 'Caseworker', 'Data steward', 'DPO', 'Admin'])
      expect(page.text).toContain(name);
    expect(page.text.match(/action="\/console\/sign-in\/persona"/g)).toHaveLength(consolePersonas.length);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('refuses a form without its CSRF token, and signs no one in', async () => {
    const agent = request.agent(base);
    await agent.get('/console').expect(200);
    const refused = await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ persona: persona('DPO').id })
      .expect(403);
    expect(refused.text).toContain('This form has expired');
    await agent.get('/console/search').expect(303).expect('location', '/console');
  });

  it('keeps the session in PostgreSQL behind an HttpOnly, SameSite cookie, and asks for a purpose first', async () => {
    const agent = request.agent(base);
    const start = await agent.get('/console').expect(200);
    const signIn = await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ _csrf: csrfOf(start.text), persona: persona('Account manager').id })
      .expect(303);
    const cookie = String(signIn.headers['set-cookie']);
    expect(cookie).toMatch(/hub_console=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/console/);
    // A new session id at sign-in (fixation).
    expect(String(start.headers['set-cookie'])).not.toEqual(cookie);
    const [{ n }] = await hub.db.dataSource.query(
      `select count(*)::int as n from console_session where sess::jsonb -> 'user' ->> 'subject' = 'demo.account-manager'`,
    );
    expect(n).toBeGreaterThanOrEqual(1);
    await agent.get(`/console/people/${onCaseload.person}`).expect(303).expect('location', '/console/purpose');
  });

  it('shows a person on the caseload as the API does, and audits the page with the purpose chosen', async () => {
    const agent = await signedIn('Account manager', 'EARLY_HELP');
    const page = await agent.get(`/console/people/${onCaseload.person}`).expect(200);
    const token = await hub.token(persona('Account manager').token);
    const api = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .set('x-purpose', 'EARLY_HELP')
      .send({ query: PERSON_QUERY, variables: { id: onCaseload.person } })
      .expect(200);
    const person = api.body.data.person;
    for (const field of ['givenName', 'familyName', 'dateOfBirth', 'postcode'])
      if (typeof person[field] === 'string') expect(page.text).toContain(escape(person[field]));
    const views = await auditFor('demo.account-manager', 'person.view');
    // The page's own request id (its response header, its access-log line) names the page's audit event.
    expect(page.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(views.at(-2)).toMatchObject({
      persons: [onCaseload.person],
      purpose: 'EARLY_HELP',
      request_id: page.headers['x-request-id'],
    });
  });

  it('shows withheld values as a marker that says why, never as blanks, for a person off the caseload', async () => {
    const agent = await signedIn('Account manager', 'EARLY_HELP');
    const page = await agent.get(`/console/people/${offCaseload}`).expect(200);
    expect(page.text).toMatch(/data-testid="withheld"/);
    expect(page.text).toMatch(/withheld<\/strong> [^<]*(not released|relationship|caseload)/);
  });

  it('breaks the glass for one person off the caseload: a reason first, then the record, audited under the grant', async () => {
    const agent = await signedIn('Account manager', 'EARLY_HELP');
    const before = await agent.get(`/console/people/${offCaseload}`).expect(200);
    expect(before.text).toContain(`href="/console/people/${offCaseload}/break-glass"`);
    const form = await agent.get(`/console/people/${offCaseload}/break-glass`).expect(200);
    expect(form.text).toContain('The data protection officer reviews every grant');
    const tooShort = await agent
      .post(`/console/people/${offCaseload}/break-glass`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), reason: 'urgent', minutes: '30' })
      .expect(400);
    expect(tooShort.text).toContain('at least 30 characters');
    expect(await hub.db.dataSource.query(`select id from break_glass where person_id = $1`, [offCaseload])).toEqual([]);
    await agent
      .post(`/console/people/${offCaseload}/break-glass`)
      .type('form')
      .send({
        _csrf: csrfOf(tooShort.text),
        reason: 'Police report a child at risk at this address tonight; no caseworker is assigned yet.',
        minutes: '30',
      })
      .expect(303)
      .expect('location', `/console/people/${offCaseload}`);
    const [grant] = await hub.db.dataSource.query(`select id::text from break_glass where person_id = $1`, [
      offCaseload,
    ]);
    const after = await agent.get(`/console/people/${offCaseload}`).expect(200);
    expect(after.text).toContain('You broke the glass for this person');
    const [view] = await hub.db.dataSource.query(
      `select break_glass_id::text as "breakGlassId", purpose from audit_event where actor_subject = 'demo.account-manager' and operation = 'person.view' and $1 = any(persons) order by seq desc limit 1`,
      [offCaseload],
    );
    expect(view).toEqual({ breakGlassId: grant.id, purpose: 'EARLY_HELP' });
    // The grant opens this person only: another person's page is as before.
    const other = await agent.get(`/console/people/${onCaseload.person}`).expect(200);
    expect(other.text).not.toContain('You broke the glass');
  });

  it('takes the purpose from a link, refuses one it does not know, and signs out', async () => {
    const agent = await signedIn('Data steward');
    const page = await agent.get(`/console/people/${onCaseload.person}?purpose=DATA_QUALITY`).expect(200);
    // By its name, in the identity bar and in the navigation of the very page the link opened, then kept.
    expect(page.text).toContain('data-testid="purpose">Data quality');
    expect(page.text).toMatch(/href="\/console\/purpose"[^>]*>\s*Purpose: Data quality\s*</);
    await agent.get('/console/search?purpose=NOT_A_PURPOSE').expect(400);
    const search = await agent.get('/console/search').expect(200);
    expect(search.text).toContain('data-testid="purpose">Data quality');
    await agent
      .post('/console/sign-out')
      .type('form')
      .send({ _csrf: csrfOf(search.text) })
      .expect(303);
    await agent.get('/console/search').expect(303).expect('location', '/console');
  });

  it("lands an account manager on their team's caseload, each case opened under the purpose and audited", async () => {
    const agent = request.agent(base);
    const start = await agent.get('/console').expect(200);
    await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ _csrf: csrfOf(start.text), persona: persona('Account manager').id })
      .expect(303);
    const page = await agent.get('/console/purpose').expect(200);
    await agent
      .post('/console/purpose')
      .type('form')
      .send({ _csrf: csrfOf(page.text), purpose: 'EARLY_HELP' })
      .expect(303)
      .expect('location', '/console/caseload');
    const caseload = await agent.get('/console/caseload').expect(200);
    expect(caseload.text).toContain(`href="/console/households/${onCaseload.household}"`);
    const [listed] = (await auditFor('demo.account-manager', 'caseload.list')).slice(-1);
    expect(listed).toBeDefined();
    const views = await hub.db.dataSource.query(
      `select purpose from audit_event where actor_subject = 'demo.account-manager' and operation = 'household.view' and $1 = any(households) order by seq desc limit 1`,
      [onCaseload.household],
    );
    expect(views).toEqual([{ purpose: 'EARLY_HELP' }]);

    // Another team's caseworker holds none of it; a data steward has no caseload page to open.
    const caseworker = await signedIn('Caseworker', 'HOUSING_NEED');
    const theirs = await caseworker.get('/console/caseload').expect(200);
    expect(theirs.text).not.toContain(onCaseload.household);
    const steward = await signedIn('Data steward', 'DATA_QUALITY');
    const refused = await steward.get('/console/caseload').expect(403);
    expect(refused.text).toContain('FORBIDDEN');
  });

  it("gives the DPO the chain's state, who saw a person, event search and subject access downloads", async () => {
    // Something to find: the account manager opens a person on the caseload.
    const manager = await signedIn('Account manager', 'EARLY_HELP');
    await manager.get(`/console/people/${onCaseload.person}`).expect(200);
    await manager.get('/console/dpo').expect(403);

    const dpo = await signedIn('DPO');
    // The DPO starts at their own pages once a purpose is chosen.
    const purposePage = await dpo.get('/console/purpose').expect(200);
    await dpo
      .post('/console/purpose')
      .type('form')
      .send({ _csrf: csrfOf(purposePage.text), purpose: 'SAFEGUARDING' })
      .expect(303)
      .expect('location', '/console/dpo');
    const overview = await dpo.get('/console/dpo').expect(200);
    expect(overview.text).toMatch(/data-testid="chain"><strong class="govuk-tag govuk-tag--green">Intact/);
    const timeline = await dpo.get(`/console/dpo/people/${onCaseload.person}`).expect(200);
    expect(timeline.text).toContain('person.view');
    expect(timeline.text).toContain('demo.account-manager (council, early-help-north)');
    expect(timeline.text).toContain('Purpose: EARLY_HELP');
    // What each view released, counted, and listed by source once opened.
    expect(timeline.text).toMatch(/govuk-details__summary-text">Released: \d+ fields? from \d+ sources?</);
    expect(timeline.text).toMatch(/govuk-details__text"><strong>[a-z-]+<\/strong>: [a-zA-Z.]+/);
    const events = await dpo.get('/console/dpo/events?actorSubject=demo.account-manager&operation=person.view');
    expect(events.status).toBe(200);
    expect(events.text).toMatch(/data-testid="events"/);
    expect(events.text).not.toContain('demo.data-steward');
    const csv = await dpo.get('/console/dpo/events.csv?actorSubject=demo.account-manager').expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text).toContain('demo.account-manager');
    const sar = await dpo.get(`/console/dpo/people/${onCaseload.person}/subject-access.csv`).expect(200);
    expect(sar.headers['content-disposition']).toMatch(/attachment/);
    const sarJson = await dpo.get(`/console/dpo/people/${onCaseload.person}/subject-access.json`).expect(200);
    expect(JSON.parse(sarJson.text).personId).toBe(onCaseload.person);
    // The DPO's own looks are on the trail too.
    const looks = await hub.db.dataSource.query(
      `select operation from audit_event where actor_subject = 'demo.dpo' order by seq`,
    );
    expect(looks.map((row: { operation: string }) => row.operation)).toEqual(
      expect.arrayContaining(['dpo.verify', 'dpo.timeline', 'dpo.search', 'dpo.export', 'dpo.subject-access']),
    );
  });

  it("shows the data steward both records of a review item side by side, and records the steward's decision", async () => {
    const pendingIn = async () =>
      Number(
        (await hub.db.dataSource.query(`select count(*)::int as n from match_review where status = 'pending'`))[0].n,
      );
    const pending = await pendingIn();
    expect(pending).toBeGreaterThan(0);
    const steward = await signedIn('Data steward');
    await steward.get('/console').expect(303).expect('location', '/console/purpose');
    const page = await steward.get('/console/reviews').expect(200);
    expect(page.text).toContain(`Pairs of records waiting for a decision: ${pending}.`);
    const id = /action="\/console\/reviews\/([^"]+)"/.exec(page.text)?.[1];
    expect(id).toBeDefined();
    const [item] = await hub.db.dataSource.query(
      `select a.source_key as a, b.source_key as b from match_review v join source_record a on a.id = v.record_a join source_record b on b.id = v.record_b where v.id = $1`,
      [id],
    );
    expect(page.text).toContain(item.a);
    expect(page.text).toContain(item.b);
    await steward
      .post(`/console/reviews/${id}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), decision: 'reject', note: 'Different dates of birth and first names.' })
      .expect(303)
      .expect('location', '/console/reviews');
    expect(await hub.db.dataSource.query(`select status from match_review where id = $1`, [id])).toEqual([
      { status: 'rejected' },
    ]);
    expect(await pendingIn()).toBe(pending - 1);
    // Nobody else reaches the queue.
    const manager = await signedIn('Account manager', 'EARLY_HELP');
    await manager.get('/console/reviews').expect(403);
  });

  it('shows the household case file with what each source holds for each member, and what changed on the caseload', async () => {
    const agent = await signedIn('Account manager', 'EARLY_HELP');
    const page = await agent.get(`/console/households/${onCaseload.household}`).expect(200);
    const token = await hub.token(persona('Account manager').token);
    const api = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .set('x-purpose', 'EARLY_HELP')
      .send({ query: HOUSEHOLD_QUERY, variables: { id: onCaseload.household } })
      .expect(200);
    const members = (api.body.data.household.members as { person: { id: string } | null }[]).filter((m) => m.person);
    expect(members.length).toBeGreaterThan(0);
    expect(page.text.match(/data-testid="member-file"/g)).toHaveLength(members.length);
    for (const member of members) expect(page.text).toContain(`href="/console/people/${member.person!.id}"`);
    for (const source of ['Housing', 'Benefits', 'Social care']) expect(page.text).toContain(`>${source}</h4>`);
    // A contents list to each member's records (the largest household has several), each link to its heading.
    expect(members.length).toBeGreaterThan(1);
    for (let n = 1; n <= members.length; n++) {
      expect(page.text).toContain(`href="#member-${n}"`);
      expect(page.text).toContain(`id="member-${n}"`);
    }
    // What a source holds none of is named in one line, not a heading each (nothing is left unaccounted for).
    expect(page.text).not.toContain('None held.</p>');
    // A source down: one banner for the page, a warning in its place for each member it knows, the rest shown.
    const [down] = await hub.db.dataSource.query(
      `select r.source, count(distinct m.person_id)::int as known from household_membership m
         join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
        where m.household_id = $1 and m.valid_to is null and r.source in ('housing', 'benefits') group by r.source order by 2 desc limit 1`,
      [onCaseload.household],
    );
    expect(down.known).toBeGreaterThan(0);
    hub.sources.fail(down.source, { mode: '500' });
    try {
      const outage = await agent.get(`/console/households/${onCaseload.household}`).expect(200);
      expect(outage.text.match(/data-testid="outage"/g) ?? []).toHaveLength(1);
      expect(outage.text.match(/govuk-warning-text__text/g) ?? []).toHaveLength(down.known);
      expect(outage.text.match(/data-testid="member-file"/g)).toHaveLength(members.length);
    } finally {
      hub.sources.fail(down.source, undefined);
    }

    // The members were first recorded in this household by today's sync: each joined within the window.
    const caseload = await agent.get('/console/caseload?days=7').expect(200);
    expect(caseload.text).toContain('What changed in the last 7 days');
    const changes = /data-testid="changes"[\s\S]*?<\/table>/.exec(caseload.text)?.[0] ?? '';
    expect(changes).toContain('Joined the household');
    expect(changes).toContain(`href="/console/households/${onCaseload.household}"`);
    // Dated by the UK's day, as the page shows it.
    expect(changes).toContain(`datetime="${ukDay(new Date())}"`);
  });

  it('lets the DPO record a break-glass review outcome with a note, through the API', async () => {
    const manager = await signedIn('Account manager', 'EARLY_HELP');
    const form = await manager.get(`/console/people/${offCaseload}/break-glass`);
    if (form.status === 200)
      await manager
        .post(`/console/people/${offCaseload}/break-glass`)
        .type('form')
        .send({
          _csrf: csrfOf(form.text),
          reason: 'A neighbour reports the family has been without heating for a week; no caseworker assigned.',
          minutes: '30',
        });
    const [grant] = await hub.db.dataSource.query(
      `select id::text from break_glass where review_status = 'pending' order by granted_at desc limit 1`,
    );
    expect(grant).toBeDefined();
    const dpo = await signedIn('DPO');
    await manager.get('/console/dpo/break-glass').expect(403);
    const list = await dpo.get('/console/dpo/break-glass').expect(200);
    expect(list.text).toContain(`action="/console/dpo/break-glass/${grant.id}"`);
    const noNote = await dpo
      .post(`/console/dpo/break-glass/${grant.id}`)
      .type('form')
      .send({ _csrf: csrfOf(list.text), outcome: 'NOT_JUSTIFIED', note: '' })
      .expect(400);
    expect(noNote.text).toContain('Write a note of why you decided so');
    expect(await hub.db.dataSource.query(`select review_status from break_glass where id = $1`, [grant.id])).toEqual([
      { review_status: 'pending' },
    ]);
    await dpo
      .post(`/console/dpo/break-glass/${grant.id}`)
      .type('form')
      .send({ _csrf: csrfOf(noNote.text), outcome: 'NOT_JUSTIFIED', note: 'A heating problem is not an emergency.' })
      .expect(303)
      .expect('location', '/console/dpo/break-glass?status=all');
    expect(
      await hub.db.dataSource.query(`select review_status, review_note from break_glass where id = $1`, [grant.id]),
    ).toEqual([{ review_status: 'not-justified', review_note: 'A heating problem is not an emergency.' }]);
    const all = await dpo.get('/console/dpo/break-glass?status=all').expect(200);
    expect(all.text).toContain('Not justified, by demo.dpo');
    const [review] = await hub.db.dataSource.query(
      `select operation from audit_event where actor_subject = 'demo.dpo' and operation = 'break-glass.review'`,
    );
    expect(review).toBeDefined();
  });

  it('gives the DPO the anomaly report, a printable subject access report and accesses over time', async () => {
    const manager = await signedIn('Account manager', 'EARLY_HELP');
    await manager.get(`/console/people/${onCaseload.person}`).expect(200);
    await manager.get(`/console/dpo/people/${onCaseload.person}/subject-access`).expect(403);
    const dpo = await signedIn('DPO');
    const anomalies = await dpo.get('/console/dpo/anomalies').expect(200);
    for (const heading of ['Unusual volume', 'Outside caseload', 'Out of hours', 'Broad case references'])
      expect(anomalies.text).toContain(heading);
    // Break-glass views are outside any caseload: the account manager is listed, with a link to the events.
    expect(anomalies.text).toMatch(/data-testid="anomaly-outside-caseload"[\s\S]*demo\.account-manager/);
    const badDate = await dpo.get('/console/dpo/anomalies?from=2026-13-45').expect(400);
    expect(badDate.text).toContain('Check the dates');

    const sar = await dpo.get(`/console/dpo/people/${onCaseload.person}/subject-access`).expect(200);
    expect(sar.text).toContain('Subject access report');
    expect(sar.text).toContain(onCaseload.person);
    const [record] = await hub.db.dataSource.query(
      `select r.source_key from person_link l join source_record r on r.id = l.source_record_id where l.person_id = $1 limit 1`,
      [onCaseload.person],
    );
    expect(sar.text).toContain(record.source_key);
    expect(sar.text).toMatch(/data-testid="sar-disclosures"[\s\S]*demo\.account-manager/);

    const activity = await dpo.get('/console/dpo/activity?days=7');
    expect(activity.status).toBe(200);
    expect(activity.text).toMatch(
      /<svg[^>]*role="img"[^>]*aria-labelledby="by-organisation-title by-organisation-desc"/,
    );
    expect(activity.text).toContain('Disclosures per day by purpose, last 7 days');
    // Exact: the hub counts the window in PostgreSQL (test/e2e/dpo-activity.e2e-spec.ts checks every day).
    const counted = Number(/data-testid="disclosures">(\d+)/.exec(activity.text)?.[1]);
    const [{ n }] = await hub.db.dataSource.query(
      `select count(*)::int as n from audit_event where decision in ('allow', 'allow-with-redactions')
        and (cardinality(persons) > 0 or cardinality(households) > 0)
        and occurred_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '6 days'
        and operation not like 'dpo.%'`,
    );
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBe(n);
    expect(activity.text).toContain('EARLY_HELP');
    const looks = (
      await hub.db.dataSource.query(`select distinct operation from audit_event where actor_subject = 'demo.dpo'`)
    ).map((row: { operation: string }) => row.operation);
    expect(looks).toEqual(expect.arrayContaining(['dpo.anomalies', 'dpo.subject-access', 'dpo.activity']));
  });

  it('shows the data steward the distribution of match weights, and splits a record out of its person', async () => {
    const steward = await signedIn('Data steward');
    const page = await steward.get('/console/reviews').expect(200);
    expect(page.text).toMatch(/data-testid="chart-weights"/);
    expect(page.text).toContain('Match weights of the pairs waiting for review');
    const [linked] = await hub.db.dataSource.query(
      `select l.source_record_id::text as record, l.person_id::text as person from person_link l
        where (select count(*) from person_link o where o.person_id = l.person_id) > 1 order by l.source_record_id limit 1`,
    );
    const tooShort = await steward
      .post('/console/split-record')
      .type('form')
      .send({ _csrf: csrfOf(page.text), record: linked.record, reason: 'no' })
      .expect(400);
    expect(tooShort.text).toContain('Give a reason');
    await steward
      .post('/console/split-record')
      .type('form')
      .send({
        _csrf: csrfOf(tooShort.text),
        record: linked.record,
        reason: 'A different person: another date of birth.',
      })
      .expect(303)
      .expect('location', '/console/reviews');
    const [after] = await hub.db.dataSource.query(
      `select person_id::text as person from person_link where source_record_id = $1`,
      [linked.record],
    );
    expect(after.person).not.toBe(linked.person);
    const alone = await steward
      .post('/console/split-record')
      .type('form')
      .send({ _csrf: csrfOf(tooShort.text), record: linked.record, reason: 'Once more, though it is alone now.' })
      .expect(400);
    expect(alone.text).toContain('The record was not split');
    const manager = await signedIn('Account manager', 'EARLY_HELP');
    const caseloadPage = await manager.get('/console/caseload').expect(200);
    await manager
      .post('/console/split-record')
      .type('form')
      .send({ _csrf: csrfOf(caseloadPage.text), record: linked.record, reason: 'Not mine to decide at all.' })
      .expect(403);
  });

  it('sends a redirect only once the session is saved, so the next page never reads it unsaved', async () => {
    const agent = request.agent(base);
    const start = await agent.get('/console').expect(200);
    await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ _csrf: csrfOf(start.text), persona: persona('Caseworker').id })
      .expect(303);
    const form = await agent.get('/console/purpose').expect(200);
    const cookie = String(form.headers['set-cookie']).split(';')[0];
    // Session writes wait on this lock (reads do not): the hub's save of the chosen purpose is held up.
    const lock = await hub.db.dataSource.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query('lock table console_session in exclusive mode');
    let answered = false;
    const response = new Promise<{ status?: number; location?: string }>((resolve, reject) => {
      const body = new URLSearchParams({ _csrf: csrfOf(form.text), purpose: 'HOUSING_NEED' }).toString();
      const post = httpRequest(
        `${base}/console/purpose`,
        { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode, location: res.headers.location });
        },
      );
      post.on('error', reject);
      post.end(body);
    });
    try {
      // Wait until the save is blocked on the lock: from then on, a redirect sent would be a redirect unsaved.
      for (let waiting = 0; waiting === 0;)
        waiting = Number(
          (
            await hub.db.dataSource.query(
              `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'console_session' and not l.granted`,
            )
          )[0].n,
        );
      expect(answered).toBe(false);
    } finally {
      await lock.commitTransaction();
      await lock.release();
    }
    await expect(response).resolves.toEqual({ status: 303, location: '/console/caseload' });
    const [saved] = await hub.db.dataSource.query(
      `select sess::jsonb ->> 'purpose' as purpose from console_session where sess::jsonb -> 'user' ->> 'subject' = 'demo.caseworker' order by expire desc limit 1`,
    );
    expect(saved.purpose).toBe('HOUSING_NEED');
  });

  it('shows life events of people on the caseload (Tell Us Once) as the API releases them, and marks one read', async () => {
    const [member] = await hub.db.dataSource.query(
      `select person_id::text as id from household_membership where household_id = $1 and valid_to is null and person_id <> $2 order by person_id limit 1`,
      [onCaseload.household, onCaseload.person],
    );
    const registrar = await hub.token({ subject: 'reg-console', organisation: 'council', roles: [Role.Registrar] });
    const reported = await request(hub.app.getHttpServer())
      .post('/graphql')
      .set('authorization', `Bearer ${registrar}`)
      .send({
        query: `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) { id status } }`,
        variables: {
          input: {
            type: 'CHANGE_OF_NAME',
            personId: member.id,
            date: '2026-02-02',
            evidenceReference: 'DEEDPOLL:DP-2026-0042',
            newName: { familyName: 'Okonkwo-Reyes' },
          },
        },
      })
      .expect(200);
    expect(reported.body.data.reportLifeEvent.status).toBe('ACCEPTED');

    const agent = await signedIn('Account manager', 'EARLY_HELP');
    const page = await agent.get('/console/caseload').expect(200);
    const table = page.text.slice(page.text.indexOf('data-testid="alerts"'));
    expect(table).toContain('Change of name reported');
    expect(table).toContain('2026-02-02');
    expect(table).toContain(`/console/people/${member.id}`);
    expect(table).toContain('Okonkwo-Reyes');
    expect(page.text).toContain('data-testid="unread-alerts"');
    // Reading the alerts is a view of the person, audited with the purpose the user chose.
    const [seen] = (await auditFor('demo.account-manager', 'life-event.notifications')).slice(-1);
    expect(seen).toMatchObject({ purpose: 'EARLY_HELP' });
    expect(seen.persons).toContain(member.id);

    const alertId = /action="\/console\/alerts\/(\d+)\/read"/.exec(page.text)![1];
    await agent
      .post(`/console/alerts/${alertId}/read`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303)
      .expect('location', '/console/caseload#alerts');
    const after = await agent.get('/console/caseload').expect(200);
    expect(after.text).not.toContain(`/console/alerts/${alertId}/read`);
    expect(after.text).not.toContain('data-testid="unread-alerts"');
  });

  it('answers an unknown page or id with a page, not a stack trace', async () => {
    const agent = await signedIn('Data steward', 'DATA_QUALITY');
    const missing = await agent.get('/console/people/not-an-id').expect(404);
    expect(missing.text).toContain('Not found');
    await agent.get('/console/nothing-here').expect(404);
    const unknown = await agent.get('/console/people/00000000-0000-4000-8000-000000000000');
    expect([403, 404]).toContain(unknown.status);
    expect(unknown.text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
    // Each problem page names its own request id, the one in its response header (and its log line).
    for (const answer of [missing, unknown]) {
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.text).toContain(`request ${answer.headers['x-request-id']}`);
    }
  });
});

function escape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
