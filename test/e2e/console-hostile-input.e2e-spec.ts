import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { ConsoleMount } from '../../src/console/console.module';
import { EVENT_FILTERS } from '../../src/console/console-dpo';
import { Principal, Role } from '../../src/engine/principal';
import { HOSTILE_STRINGS } from '../support/fuzz/hostile-values';
import { LEAK_PATTERNS } from '../support/fuzz/response-checks';
import { ConsoleAgent, consolePersona, csrfOf, signedInToConsole } from '../support/console-agent';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

jest.setTimeout(300_000);

const admin: Principal = { subject: 'admin-hostile', organisation: 'council', roles: [Role.Admin] };

/** Every query parameter a console page reads (the DPO's event filters among them). */
const QUERY_NAMES = [
  ...new Set([
    'purpose',
    'days',
    'after',
    'status',
    'personId',
    'from',
    'to',
    'givenName',
    'familyName',
    'dateOfBirth',
    'postcode',
    ...EVENT_FILTERS,
  ]),
];
/** Every form field a console form posts. */
const FORM_NAMES = [
  'purpose',
  'caseReference',
  'reason',
  'minutes',
  'decision',
  'note',
  'outcome',
  'record',
  'persona',
];

/** Fields that, hostile, stop a form before it asks the API: given valid in a second post of the form. */
const VALID_FIELDS: Record<string, Record<string, string>> = {
  '/life-events': { type: 'CHANGE_OF_ADDRESS' },
  '/purpose': { purpose: 'EARLY_HELP' },
};

/** Query strings no encoder makes: broken percent escapes, repeated and bracketed names, a lone `%`. */
const RAW_QUERIES = [
  'purpose=%E0%A4%A',
  'purpose=%',
  'givenName=%FF%FE&familyName=%C0%80',
  'purpose=EARLY_HELP&purpose=SAFEGUARDING',
  'days[]=7&days[]=30',
  'after[x]=1&status[y]=2',
  'from=2024-02-30&to=9999-99-99',
  `${'a'.repeat(4_000)}=1`,
];

/** A lone surrogate as U+FFFD, as a browser would send it (encodeURIComponent refuses one). */
const wellFormed = (value: string) =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

interface Answer {
  status: number;
  text: string;
  type: string;
}

/**
 * The console against what an attacker or a broken client sends (the GraphQL fuzz suite's hostile values,
 * and query strings no encoder makes), on every page and form of every role, signed in: each answer is a
 * page, a redirect, a download or a clean refusal, never a 500, never a stack trace, a file path or a
 * database message, and never the hostile markup unescaped.
 */
describe('console: hostile input on every page and form', () => {
  let hub: SingleViewHub;
  let base: string;
  let household: string;
  let gets: string[] = [];
  let posts: string[] = [];
  const agents = new Map<string, ConsoleAgent>();

  const signedIn = async (name: string, purpose: string) => (await signedInToConsole(base, name, purpose)).agent;

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 30, seed: 'console-hostile' });
    const server = hub.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [row] = await hub.db.dataSource.query(
      `select household_id::text as id from household_membership where valid_to is null
        group by household_id order by count(*) desc, household_id limit 1`,
    );
    household = row.id;
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: household, team: 'early-help-north' }, admin);
    agents.set('Account manager', await signedIn('Account manager', 'EARLY_HELP'));
    agents.set('DPO', await signedIn('DPO', 'SAFEGUARDING'));
    agents.set('Data steward', await signedIn('Data steward', 'DATA_QUALITY'));
    agents.set('Registrar', await signedIn('Registrar', 'TELL_US_ONCE'));
    const router = (await hub.app.get(ConsoleMount).router()) as unknown as {
      stack: { route?: { path: string; methods: Record<string, boolean> } }[];
    };
    const routes = (method: string) =>
      router.stack.filter((layer) => layer.route?.methods[method]).map((layer) => layer.route!.path);
    // Signing out, or in as someone else, would end the agent's session for the pages after it.
    gets = routes('get');
    posts = routes('post').filter((route) => !route.startsWith('/sign-'));
  });
  afterAll(() => hub?.stop());

  /** The role whose pages these are: the DPO's under /dpo, the steward's review queue, the registrar's Tell Us Once, the account manager's else. */
  const agentFor = (route: string) =>
    agents.get(
      route.startsWith('/dpo')
        ? 'DPO'
        : route.startsWith('/reviews') || route === '/split-record'
          ? 'Data steward'
          : route.startsWith('/life-events')
            ? 'Registrar'
            : 'Account manager',
    )!;

  /** A path for the route, each `:param` given `value` (encoded). */
  const pathOf = (route: string, value: string) =>
    `/console${route.replace(/:(\w+)/g, () => encodeURIComponent(wellFormed(value)))}`;

  const problemsOf = (answer: Answer, hostile: string): string[] => {
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
    // The not-found page names the path asked for ("There is nothing at /people/x"): not a stack frame.
    const text = answer.text.replaceAll('There is nothing at /', '');
    for (const pattern of LEAK_PATTERNS) if (pattern.test(text)) problems.push(`leak: matches ${pattern}`);
    // A download (CSV, JSON, sent with nosniff) may name what it was asked for; a page must escape it.
    if (answer.type.startsWith('text/html') && hostile.includes('<script>') && answer.text.includes(hostile))
      problems.push('markup reflected unescaped');
    if (
      answer.status === 200 &&
      !/^(text\/html|text\/csv|application\/json|text\/css|text\/javascript)/.test(answer.type)
    )
      problems.push(`a 200 answer of type ${answer.type}`);
    return problems;
  };

  const get = async (agent: ConsoleAgent, url: string): Promise<Answer> => {
    const answer = await agent
      .get(url)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done(null, text));
      });
    return {
      status: answer.status,
      text: String(answer.body ?? ''),
      type: String(answer.headers['content-type'] ?? ''),
    };
  };

  it('knows the routes it tries: the pages and forms of every role', () => {
    expect(gets).toEqual(
      expect.arrayContaining(['/search', '/households/:id', '/people/:id', '/dpo/events', '/reviews']),
    );
    expect(posts).toEqual(expect.arrayContaining(['/purpose', '/people/:id/break-glass', '/reviews/:id']));
  });

  it('answers every page, given hostile values in its path and every query parameter, with a page or a refusal', async () => {
    const found: string[] = [];
    let tried = 0;
    for (const route of gets) {
      const agent = agentFor(route);
      for (const { label, value } of HOSTILE_STRINGS) {
        // The route's own parameters stay valid where it has some (a real household), so the page gets as far
        // as reading its query; then once with the hostile value in the path as well.
        const valid = pathOf(route, household);
        const query = new URLSearchParams(QUERY_NAMES.map((name): [string, string] => [name, value])).toString();
        for (const url of route.includes(':') ? [`${valid}?${query}`, pathOf(route, value)] : [`${valid}?${query}`]) {
          const problems = problemsOf(await get(agent, url), value);
          tried++;
          if (problems.length) found.push(`GET ${route} (${label}): ${problems.join('; ')}`);
        }
      }
      for (const raw of RAW_QUERIES) {
        const problems = problemsOf(await get(agent, `${pathOf(route, household)}?${raw}`), '');
        tried++;
        if (problems.length) found.push(`GET ${route} (?${raw.slice(0, 40)}): ${problems.join('; ')}`);
      }
    }
    expect(found).toEqual([]);
    expect(tried).toBeGreaterThan(gets.length * HOSTILE_STRINGS.length);
  });

  it('answers every form, given hostile values in every field, with a page, a redirect or a refusal', async () => {
    const found: string[] = [];
    for (const route of posts) {
      const agent = agentFor(route);
      for (const { label, value } of HOSTILE_STRINGS) {
        const form = Object.fromEntries(FORM_NAMES.map((name) => [name, value]));
        // Where one field's hostile value stops a form before the API, once more with that field valid.
        for (const valid of [{}, ...(VALID_FIELDS[route] ? [VALID_FIELDS[route]] : [])]) {
          const page = await agent.get('/console/search');
          const answer = await agent
            .post(pathOf(route, household))
            .type('form')
            .send({ ...form, ...valid, _csrf: csrfOf(page.text) });
          const problems = problemsOf(
            { status: answer.status, text: answer.text ?? '', type: String(answer.headers['content-type'] ?? '') },
            value,
          );
          // The token was the session's own: the form's handler, not the CSRF check, answered.
          if ((answer.text ?? '').includes('<code>CSRF</code>')) problems.push('refused as a forged form');
          if (problems.length) found.push(`POST ${route} (${label}): ${problems.join('; ')}`);
        }
      }
    }
    expect(found).toEqual([]);
    // The sessions lived through it: each agent still has its pages.
    for (const agent of agents.values()) await agent.get('/console/search').expect(200);
  });

  it("answers the DPO's downloads behind the console pages, given hostile values, with the file or a refusal", async () => {
    const token = await hub.token(consolePersona('DPO').token);
    const found: string[] = [];
    for (const { label, value } of HOSTILE_STRINGS) {
      const keys = [...EVENT_FILTERS, 'from', 'to', 'fromSeq', 'toSeq', 'format'];
      const urls = [
        ...keys.map((key) => `/dpo/audit-events?${new URLSearchParams({ format: 'csv', [key]: value })}`),
        `/dpo/subject-access/${encodeURIComponent(wellFormed(value))}`,
        `/dpo/subject-access/${household}?${new URLSearchParams({ receivedOn: value, format: value })}`,
      ];
      for (const url of urls) {
        const answer = await request(hub.server).get(url).set('authorization', `Bearer ${token}`);
        const problems = problemsOf(
          { status: answer.status, text: answer.text ?? '', type: String(answer.headers['content-type'] ?? '') },
          value,
        );
        if (problems.length) found.push(`GET ${url.slice(0, 60)} (${label}): ${problems.join('; ')}`);
      }
    }
    expect(found).toEqual([]);
  });
});
