import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseAssignmentsService } from '../src/access/relationships/case-assignments.service';
import { AuditVerifierService } from '../src/audit/audit-verifier.service';
import { DevTokenIssuer, DevTokenRequest } from '../src/auth/dev-token.service';
import { Role } from '../src/engine/principal';
import { loadConfig } from '../src/hub-config';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { SourceConnection } from '../src/sources/sources-config';
import { benchDatabase } from './bench-database';
import { forkChild, graphqlUrl, sandboxRegistry, startHub, syncAndSeed } from './bench-hub';
import { checkDisclosures } from './load-audit';
import { LoadKind, LoadPlan, LoadResult, percentile } from './load-plan';

/**
 * `npm run bench:load [-- --duration 60 --connections 50 --warmup 5 --households 1000 --source-latency 20]`:
 * the hub under a mix of requests from many clients at once, over HTTP on loopback, with the real policy,
 * disclosure budgets and hash-chained audit trail. The hub runs in this process; the three sandbox sources
 * in a child (bench/query-load.ts, answering each request after `--source-latency` ms); autocannon in
 * another (bench/load-clients.ts).
 *
 * The mix (weights out of 100): exact searches by account managers (family name and postcode), ranked
 * searches by data stewards (a name), person and household views by account managers (half the
 * households on their team's caseload), person views by a partner under a case reference of one person,
 * and the DPO's queries (audit events about a person, who saw a person, subject access reports).
 *
 * Reports p50, p95, p99 and throughput per kind and overall, and errors (a status other than 200, or a
 * GraphQL error other than the withheld-field marker). Afterwards, every answer is matched with the audit
 * trail by its request id: each person shown has exactly one event of that request naming them, each DPO
 * query one `dpo.*` event; then the whole chain is verified. Exits 1 on any error or mismatch.
 */
const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    households: { type: 'string', default: '1000' },
    'source-latency': { type: 'string', default: '20' },
  },
});
const seconds = positive('duration');
const connections = positive('connections');
const warmupSeconds = Number(options.warmup);
const households = positive('households');
const sourceLatencyMs = Number(options['source-latency']);

/**
 * Budgets far above what the bench can reach, so that they are counted (in PostgreSQL, as in production)
 * but never refuse: 50 clients of one hub exceed the defaults for one user within seconds. Case references
 * keep the default (5 persons each): each case reference the partner sends covers one person.
 */
const generousBudgets = { RATE_LIMIT_PER_MINUTE: '1000000', PERSONS_PER_MINUTE: '100000', PERSONS_PER_DAY: '10000000' };

const personQuery = `query Person($id: ID!) { person(id: $id) {
  id givenName familyName dateOfBirth postcode
  housing { tenancies { tenure rentAccountStatus } }
  benefits { housingBenefitClaims { status weeklyAmount } }
  socialCare { childrenSocialCare { caseType } }
} }`;
const householdQuery = `query Household($id: ID!) { household(id: $id) { id uprn memberCount members { role person {
  id givenName familyName dateOfBirth
  housing { tenancies { tenancyRef tenure rentAccountStatus } }
  benefits { housingBenefitClaims { claimRef status weeklyAmount } }
} } } }`;
const searchQuery = `query Search($input: SearchPeopleInput!) { searchPeople(input: $input) {
  edges { person { id exists holdingTeams givenName familyName dateOfBirth } } pageInfo { hasNextPage endCursor }
} }`;
const partnerQuery = `query Partner($id: ID!) { person(id: $id) { id givenName familyName nhsNumber socialCare { childrenSocialCare { caseType } } } }`;
const auditEventsQuery = `query Events($id: String!) { auditEvents(filter: { personId: $id }, first: 20) {
  nodes { seq occurredAt operation decision purpose } pageInfo { hasNextPage endCursor }
} }`;
const timelineQuery = `query Timeline($id: String!) { personAccessTimeline(personId: $id, first: 20) { nodes { seq occurredAt operation decision } } }`;
const subjectAccessQuery = `query SubjectAccess($id: String!) { subjectAccessReport(personId: $id) {
  sourceRecords { source sourceKey } disclosures { seq operation purpose } dueBy
} }`;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-load-'));
  const sandboxes = forkChild('query-load.ts');
  const clients = forkChild('load-clients.ts');
  let app: INestApplication | undefined;
  let runtime: DatabaseRuntime | undefined;
  let failed = false;
  try {
    const sources = await sandboxes.ask<SourceConnection[]>({ cmd: 'start', dir, households });
    await sandboxes.ask({ cmd: 'latency', ms: sourceLatencyMs });
    const url = (db.dataSource.options as { url: string }).url;
    await db.dataSource.destroy();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      HUB_DATA_DIR: join(dir, 'hub'),
      ...generousBudgets,
    });
    runtime = await DatabaseRuntime.open(config);
    app = await startHub(config, runtime, sandboxRegistry(sources));
    await syncAndSeed(app);
    const kinds = await mixFor(app);
    const endpoint = await graphqlUrl(app);
    const plan = (prefix: string, duration: number): LoadPlan => ({
      endpoint,
      connections,
      seconds: duration,
      prefix,
      kinds,
    });

    print({
      benchmark: 'load',
      households,
      connections,
      seconds,
      warmupSeconds,
      sourceLatencyMs,
      database: db.kind,
      budgets: generousBudgets,
      mix: Object.fromEntries(kinds.map((k) => [k.name, k.weight])),
    });
    const runs: LoadResult[] = [];
    // Unmeasured: the JIT compiles the hot paths (a running hub is warm). Its disclosures are checked too.
    if (warmupSeconds > 0) runs.push(await clients.ask<LoadResult>({ cmd: 'run', plan: plan('warm', warmupSeconds) }));
    // The hub's CPU per request (this process; the machine's total would count other people's work too).
    const hubBefore = process.cpuUsage();
    const measured = await clients.ask<LoadResult>({ cmd: 'run', plan: plan('load', seconds) });
    const hubUsed = process.cpuUsage(hubBefore);
    runs.push(measured);

    for (const kind of measured.kinds)
      print({
        kind: kind.name,
        ...figures(kind.times, kind.requests, measured.seconds),
        errors: kind.errors,
        personsShown: kind.shown,
        personsNamedAllWithheld: kind.namedAllWithheld,
      });
    const all = measured.kinds.flatMap((k) => k.times);
    const requests = measured.kinds.reduce((sum, k) => sum + k.requests, 0);
    const errors = runs.reduce(
      (sum, run) =>
        sum +
        run.kinds.reduce((n, k) => n + k.errors, 0) +
        (run.errorCauses.timeout ?? 0) +
        (run.errorCauses['socket error'] ?? 0),
      0,
    );
    print({
      kind: 'overall',
      ...figures(all, requests, measured.seconds),
      errors,
      seconds: round(measured.seconds, 1),
      hubCpuMsPerRequest: round((hubUsed.user + hubUsed.system) / 1000 / requests, 2),
      cores: cpus().length,
    });
    print({
      errors,
      causes: merged(runs.map((r) => r.errorCauses)),
      samples: [...new Set(runs.flatMap((r) => r.errorSamples))],
      autocannon: measured.autocannon,
    });

    // Answers still in flight when the clients stopped may yet be committing their events.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const dataSource = app.get(DataSource);
    const audit = await checkDisclosures(dataSource, runs);
    print({ audit });
    const started = Date.now();
    const chain = await app.get(AuditVerifierService).verify();
    print({ chain: { ...chain, seconds: round((Date.now() - started) / 1000, 1) } });
    // For capacity planning: what the trail grows by (its partitions with their indexes), per event.
    const [size] = await dataSource.query(
      `select (select count(*) from audit_event)::int as events,
              (select sum(pg_total_relation_size(relid)) from pg_partition_tree('audit_event'))::bigint as bytes`,
    );
    print({ auditStorage: { events: size.events, bytesPerEvent: Math.round(Number(size.bytes) / size.events) } });
    failed = errors > 0 || !audit.oneEventPerDisclosure || !chain.valid;
  } finally {
    await app?.close();
    await runtime?.close();
    await clients.stop();
    await sandboxes.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

/** The kinds of request, their users and what each asks about, from the synced borough. */
async function mixFor(app: INestApplication): Promise<LoadKind[]> {
  const dataSource = app.get(DataSource);
  const members: { person: string; household: string }[] = await dataSource.query(
    `select distinct on (person_id) person_id::text as person, household_id::text as household
       from household_membership where valid_to is null order by person_id, household_id limit 2000`,
  );
  const householdIds = [...new Set(members.map((m) => m.household))].sort();
  // Half the households on the account managers' team's caseload: the others answer existence only.
  const admin = { subject: 'bench-admin', organisation: 'council', roles: [Role.Admin] };
  for (const id of householdIds.filter((_, i) => i % 2 === 0)) {
    await app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: id, team: 'early-help-north' }, admin);
  }
  const records: { person: string; given: string | null; family: string; postcode: string | null }[] =
    await dataSource.query(
      `select distinct on (l.person_id) l.person_id::text as person, r.demographics ->> 'givenName' as given,
            r.demographics ->> 'familyName' as family, r.demographics ->> 'postcode' as postcode
       from person_link l join source_record r on r.id = l.source_record_id
      where not r.deleted and r.demographics ? 'familyName' order by l.person_id, r.id limit 2000`,
    );
  const exact = records
    .filter((r) => r.postcode)
    .map((r) => ({ input: { familyName: r.family, postcode: r.postcode, first: 10 } }));
  const named = records.filter((r) => r.given).map((r) => ({ input: { name: `${r.given} ${r.family}`, first: 10 } }));
  const persons = shuffle(members.map((m) => m.person));
  const byPerson = persons.map((id) => ({ id }));

  const issue = (who: DevTokenRequest) => app.get(DevTokenIssuer).issue({ ...who, ttlSeconds: 3 * 3600 });
  const users = (n: number, who: (i: number) => DevTokenRequest) =>
    Promise.all(Array.from({ length: n }, (_, i) => issue(who(i))));
  const managers = await users(10, (i) => ({
    subject: `am-load-${i}`,
    organisation: 'council',
    roles: [Role.AccountManager],
    team: 'early-help-north',
  }));
  const stewards = await users(3, (i) => ({
    subject: `ds-load-${i}`,
    organisation: 'council',
    roles: [Role.DataSteward],
  }));
  const dpos = await users(2, (i) => ({ subject: `dpo-load-${i}`, organisation: 'council', roles: [Role.Dpo] }));
  const partner = await users(1, () => ({
    subject: 'nhs-load',
    organisation: 'nhs-trust',
    roles: [Role.PartnerAgency],
    client: 'nhs-safeguarding',
  }));
  const earlyHelp = { 'x-purpose': 'EARLY_HELP' };
  return [
    {
      name: 'search',
      weight: 15,
      query: searchQuery,
      variables: shuffle(exact),
      tokens: managers,
      headers: earlyHelp,
      discloses: { persons: 'search' },
    },
    {
      name: 'search-ranked',
      weight: 10,
      query: searchQuery,
      variables: shuffle(named),
      tokens: stewards,
      headers: { 'x-purpose': 'DATA_QUALITY' },
      discloses: { persons: 'search' },
    },
    {
      name: 'person',
      weight: 25,
      query: personQuery,
      variables: byPerson,
      tokens: managers,
      headers: earlyHelp,
      discloses: { persons: 'person' },
    },
    {
      name: 'household',
      weight: 15,
      query: householdQuery,
      variables: shuffle(householdIds).map((id) => ({ id })),
      tokens: managers,
      headers: earlyHelp,
      discloses: { persons: 'household' },
    },
    {
      name: 'partner-person',
      weight: 10,
      query: partnerQuery,
      // A safeguarding referral names one person: its case reference is theirs alone.
      variables: persons.map((id, i) => ({ id, caseReference: `SG-${i}` })),
      tokens: partner,
      headers: { 'x-purpose': 'SAFEGUARDING' },
      discloses: { persons: 'person' },
    },
    {
      name: 'dpo-audit-events',
      weight: 10,
      query: auditEventsQuery,
      variables: byPerson,
      tokens: dpos,
      headers: {},
      discloses: { dpo: 'dpo.search' },
    },
    {
      name: 'dpo-timeline',
      weight: 8,
      query: timelineQuery,
      variables: byPerson,
      tokens: dpos,
      headers: {},
      discloses: { dpo: 'dpo.timeline' },
    },
    {
      name: 'dpo-subject-access',
      weight: 7,
      query: subjectAccessQuery,
      variables: byPerson,
      tokens: dpos,
      headers: {},
      discloses: { dpo: 'dpo.subject-access' },
    },
  ];
}

function figures(times: number[], requests: number, runSeconds: number) {
  return {
    requests,
    perSecond: round(requests / runSeconds, 1),
    p50ms: round(percentile(times, 0.5)),
    p95ms: round(percentile(times, 0.95)),
    p99ms: round(percentile(times, 0.99)),
  };
}

function merged(counts: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts) for (const [cause, n] of Object.entries(count)) total[cause] = (total[cause] ?? 0) + n;
  return total;
}

/** A fixed shuffle (the same order every run), so that neighbours in the borough are not asked in a row. */
function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 20;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function positive(name: 'duration' | 'connections' | 'households'): number {
  const n = Number(options[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

main().catch((error: unknown) => {
  process.stderr.write(`bench:load failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
