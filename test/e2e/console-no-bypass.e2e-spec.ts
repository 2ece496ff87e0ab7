import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { ConsoleMount } from '../../src/console/console.module';
import { HOUSEHOLD_QUERY, PERSON_QUERY } from '../../src/console/console-pages';
import { consolePersonas } from '../../src/console/console-router';
import { Principal, Role } from '../../src/engine/principal';
import { signedInToConsole } from '../support/console-agent';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(240_000);

const admin: Principal = { subject: 'admin-no-bypass', organisation: 'council', roles: [Role.Admin] };
const persona = (name: string) => consolePersonas.find((p) => p.name === name)!;

type Json = Record<string, unknown>;
interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; details?: { reason?: string } };
}

/**
 * The console has no way round the API (docs/console.md, "No bypass"): for several users and purposes, a
 * person page and a household page show every value the GraphQL API releases to the same user for the same
 * purpose, a marker with the hub's reason for every value it withholds, and none of the values it withholds
 * (the values the sources and the index hold, read here behind the hub's back). And every console page that
 * shows personal data writes its audit event, with the user as actor (a route added without a check here
 * fails the route inventory).
 */
describe('console: no page releases what the API withholds, every page is audited', () => {
  let hub: SingleViewHub;
  let base: string;
  let household: string;
  let member: string;
  let stranger: string;
  let familyName: string;
  let dateOfBirth: string;
  let lifeEvent: string;

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 40, seed: 'console-no-bypass' });
    const server = hub.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A household with members known to more than one source: on the account manager's team caseload.
    const [row] = await hub.db.dataSource.query(`
      select m.household_id::text as household, min(m.person_id::text) as person
        from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null group by m.household_id
       order by count(distinct r.source) desc, count(distinct m.person_id) desc, m.household_id limit 1`);
    household = row.household;
    member = row.person;
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: household, team: 'early-help-north' }, admin);
    const [other] = await hub.db.dataSource.query(
      `select m.person_id::text as id from household_membership m where m.valid_to is null and m.household_id <> $1
        order by m.person_id limit 1`,
      [household],
    );
    stranger = other.id;
    const [name] = await hub.db.dataSource.query(
      `select r.demographics->>'familyName' as "familyName", r.demographics->>'dateOfBirth' as "dateOfBirth"
         from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = $1 and r.demographics ? 'familyName' and r.demographics ? 'dateOfBirth' limit 1`,
      [member],
    );
    familyName = name.familyName;
    dateOfBirth = name.dateOfBirth;
    // A report by a description that matches no one: it waits for a data steward and changes nothing here.
    const reported = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${await hub.token(persona('Registrar').token)}`)
      .send({
        query: `mutation ($input: ReportLifeEventInput!) { reportLifeEvent(input: $input) { id status } }`,
        variables: {
          input: {
            type: 'CHANGE_OF_NAME',
            date: '2026-01-10',
            evidenceReference: 'DEEDPOLL:DP-2026-001',
            person: { givenName: 'Nobody', familyName: 'Knownbythisname', dateOfBirth: '1970-01-01' },
            newName: { familyName: 'Othername' },
          },
        },
      });
    if (!reported.body.data?.reportLifeEvent) throw new Error(`reportLifeEvent: ${JSON.stringify(reported.body)}`);
    lifeEvent = reported.body.data.reportLifeEvent.id;
  });
  afterAll(() => hub?.stop());

  const signedIn = async (name: string) => (await signedInToConsole(base, name)).agent;

  const api = async (name: string, purpose: string, query: string, id: string) => {
    const token = await hub.token(persona(name).token);
    const answer = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .set('x-purpose', purpose)
      .send({ query, variables: { id } });
    return answer.body as { data: Json | null; errors?: ApiError[] };
  };

  /** Every value the index and the sources hold about `persons`, read here without the hub's decision. */
  const heldAbout = async (persons: string[]): Promise<Set<string>> => {
    const rows: { source: string; source_key: string; demographics: Json }[] = await hub.db.dataSource.query(
      `select r.source, r.source_key, r.demographics from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = any($1::uuid[])`,
      [persons],
    );
    const values = new Set<string>();
    for (const r of rows)
      for (const [field, value] of Object.entries(r.demographics)) {
        if (['sex', 'addressLines', 'previousFamilyNames'].includes(field)) continue;
        if (typeof value === 'string') values.add(value);
      }
    const bySource = new Map<string, string[]>();
    for (const r of rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r.source_key]);
    for (const [source, keys] of bySource) {
      const adapter = hub.sources.adapters.get(source);
      if (!adapter) continue;
      const details = await adapter.fetchDetails(keys);
      for (const records of details.values())
        for (const record of records) {
          values.add(record.recordId);
          for (const [field, value] of Object.entries(record.fields))
            if (typeof value === 'string' && /(Ref|Id|Date|On)$/.test(field)) values.add(value);
        }
    }
    return values;
  };

  /** Every string and number the API released, at any depth. */
  const released = (value: unknown, into = new Set<string>()): Set<string> => {
    if (typeof value === 'string' || typeof value === 'number') into.add(String(value));
    else if (Array.isArray(value)) for (const item of value) released(item, into);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) released(item, into);
    return into;
  };

  const cases: { persona: string; purpose: string }[] = [
    { persona: 'Account manager', purpose: 'EARLY_HELP' },
    { persona: 'Account manager', purpose: 'HOUSING_NEED' },
    { persona: 'Caseworker', purpose: 'HOUSING_NEED' },
    { persona: 'Partner agency (NHS trust)', purpose: 'SAFEGUARDING' },
    { persona: 'Data steward', purpose: 'DATA_QUALITY' },
  ];

  it.each(cases)(
    '$persona for $purpose: the person and household pages show exactly what the API releases',
    async ({ persona: name, purpose }) => {
      const agent = await signedIn(name);
      const pages = [
        { kind: 'person', query: PERSON_QUERY, id: member, path: `/console/people/${member}` },
        { kind: 'person', query: PERSON_QUERY, id: stranger, path: `/console/people/${stranger}` },
        { kind: 'household', query: HOUSEHOLD_QUERY, id: household, path: `/console/households/${household}` },
      ];
      let withheldValues = 0;
      for (const page of pages) {
        const answer = await api(name, purpose, page.query, page.id);
        const html = (await agent.get(`${page.path}?purpose=${purpose}`)).text;
        // The page as a whole (attributes too) for leaks; its text for the markers.
        const raw = unescapeHtml(html);
        const text = unescapeHtml(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
        const subject = answer.data?.[page.kind] as Json | null | undefined;
        const persons =
          page.kind === 'person'
            ? [page.id]
            : (
                await hub.db.dataSource.query(
                  `select person_id::text as id from household_membership where household_id = $1`,
                  [household],
                )
              ).map((r: { id: string }) => r.id);
        const shown = subject ? released(subject) : new Set<string>();
        // Nothing the API withheld from this user for this purpose is on the page.
        const secrets = [...(await heldAbout(persons))].filter((value) => value.length >= 6 && !shown.has(value));
        withheldValues += secrets.length;
        for (const secret of secrets)
          expect({ page: page.path, leaked: raw.includes(secret) ? secret : null }).toEqual({
            page: page.path,
            leaked: null,
          });
        if (!subject) continue;
        // Everything the API released is on the page.
        for (const value of shown) {
          if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(value)) continue;
          expect({ page: page.path, missing: raw.includes(value) ? null : value }).toEqual({
            page: page.path,
            missing: null,
          });
        }
        // Every withheld value shows the hub's reason in its place.
        for (const error of answer.errors ?? []) {
          if (error.extensions?.code !== 'WITHHELD_BY_POLICY') continue;
          const reason = error.extensions.details?.reason ?? error.message;
          expect(text).toContain(`withheld ${reason}`);
        }
      }
      // Something was withheld from this user: the check above had values to look for.
      expect(withheldValues).toBeGreaterThan(0);
    },
  );

  it('compares at least one page with values released and values withheld on it', async () => {
    const answer = await api('Account manager', 'EARLY_HELP', PERSON_QUERY, stranger);
    expect((answer.errors ?? []).some((e) => e.extensions?.code === 'WITHHELD_BY_POLICY')).toBe(true);
    const mine = await api('Account manager', 'EARLY_HELP', HOUSEHOLD_QUERY, household);
    expect(released(mine.data?.household).size).toBeGreaterThan(5);
  });

  /** Audit events of `operation` by `subject` so far. */
  const eventsOf = async (subject: string, operation: string) =>
    (
      await hub.db.dataSource.query(
        `select count(*)::int as n from audit_event where actor_subject = $1 and operation = $2`,
        [subject, operation],
      )
    )[0].n as number;

  /** Every console page that shows personal data, who opens it, and the audit event(s) it must write. */
  const audited: { route: string; persona: string; path: () => string; operations: string[]; purpose?: string }[] = [
    {
      route: '/caseload',
      persona: 'Account manager',
      path: () => '/caseload',
      operations: ['caseload.list', 'household.view'],
      purpose: 'EARLY_HELP',
    },
    {
      route: '/search',
      persona: 'Account manager',
      path: () => `/search?${new URLSearchParams({ familyName, dateOfBirth })}`,
      operations: ['search'],
      purpose: 'EARLY_HELP',
    },
    {
      route: '/people/:id',
      persona: 'Account manager',
      path: () => `/people/${member}`,
      operations: ['person.view'],
      purpose: 'EARLY_HELP',
    },
    {
      route: '/households/:id',
      persona: 'Account manager',
      path: () => `/households/${household}`,
      operations: ['household.view'],
      purpose: 'EARLY_HELP',
    },
    { route: '/reviews', persona: 'Data steward', path: () => '/reviews', operations: ['identity.review.list'] },
    {
      route: '/dpo',
      persona: 'DPO',
      path: () => '/dpo',
      operations: ['dpo.verify', 'dpo.anomalies', 'dpo.break-glass-reviews'],
    },
    {
      route: '/dpo/break-glass',
      persona: 'DPO',
      path: () => '/dpo/break-glass?status=all',
      operations: ['dpo.break-glass-reviews'],
    },
    { route: '/dpo/anomalies', persona: 'DPO', path: () => '/dpo/anomalies', operations: ['dpo.anomalies'] },
    { route: '/dpo/activity', persona: 'DPO', path: () => '/dpo/activity', operations: ['dpo.activity'] },
    { route: '/dpo/events', persona: 'DPO', path: () => '/dpo/events', operations: ['dpo.search'] },
    { route: '/dpo/events.csv', persona: 'DPO', path: () => '/dpo/events.csv', operations: ['dpo.export'] },
    { route: '/dpo/people/:id', persona: 'DPO', path: () => `/dpo/people/${member}`, operations: ['dpo.timeline'] },
    {
      route: '/dpo/people/:id/subject-access',
      persona: 'DPO',
      path: () => `/dpo/people/${member}/subject-access`,
      operations: ['dpo.subject-access'],
    },
    { route: '/life-events', persona: 'Registrar', path: () => '/life-events', operations: ['life-event.list'] },
    {
      route: '/life-events/:id',
      persona: 'Registrar',
      path: () => `/life-events/${lifeEvent}`,
      operations: ['life-event.view'],
    },
    {
      route: '/dpo/people/:id/subject-access.:format',
      persona: 'DPO',
      path: () => `/dpo/people/${member}/subject-access.json`,
      operations: ['dpo.subject-access'],
    },
  ];
  /** GET routes that show no personal data (sign-in, the purpose form, assets, redirects, the break-glass form). */
  const notPersonal = [
    '/',
    '/purpose',
    '/static/:file',
    '/sign-in/callback',
    '/dpo/people',
    '/people/:id/break-glass',
    '/life-events/new',
  ];

  it('knows every GET route of the console: each is audited below or shows no personal data', async () => {
    const router = (await hub.app.get(ConsoleMount).router()) as unknown as {
      stack: { route?: { path: string; methods: Record<string, boolean> } }[];
    };
    const gets = router.stack.filter((layer) => layer.route?.methods.get).map((layer) => layer.route!.path);
    expect(gets.length).toBeGreaterThan(10);
    expect(gets.filter((route) => !notPersonal.includes(route) && !audited.some((a) => a.route === route))).toEqual([]);
  });

  it.each(audited)('$route writes its audit event ($operations) with the user as actor', async (page) => {
    const agent = await signedIn(page.persona);
    const subject = persona(page.persona).token.subject;
    const before = await Promise.all(page.operations.map((op) => eventsOf(subject, op)));
    const path = `/console${page.path()}`;
    const response = await agent.get(
      page.purpose ? `${path}${path.includes('?') ? '&' : '?'}purpose=${page.purpose}` : path,
    );
    expect(response.status).toBe(200);
    const after = await Promise.all(page.operations.map((op) => eventsOf(subject, op)));
    page.operations.forEach((op, i) => expect({ op, written: after[i] > before[i] }).toEqual({ op, written: true }));
    if (page.purpose) {
      const [latest] = await hub.db.dataSource.query(
        `select purpose from audit_event where actor_subject = $1 and operation = $2 order by seq desc limit 1`,
        [subject, page.operations.at(-1)],
      );
      expect(latest.purpose).toBe(page.purpose);
    }
  });
});

function unescapeHtml(html: string): string {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
