import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { Role } from '../../src/engine/principal';
import { loadConfig } from '../../src/hub-config';
import { startTracing, Tracing } from '../../src/metrics/tracing-sdk';
import { personalValuesIn, personalValuesOf } from '../support/metrics-scrape';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

/**
 * Traces over OTLP/HTTP to a collector on loopback that keeps what it receives: a person view is one trace,
 * rooted in its HTTP request, through the policy decision, the live lookups and the audit append, each with
 * the request id, and no attribute holds a personal value.
 */

jest.setTimeout(180_000);

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const scalar = (value: OtlpValue): string =>
  String(value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue);
const attr = (span: OtlpSpan, key: string): string | undefined => {
  const found = span.attributes?.find((a) => a.key === key);
  return found ? scalar(found.value) : undefined;
};
const SERVER = 2;

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  const exports: OtlpExport[] = [];
  let collector: Server;
  let tracing: Tracing;
  let hub: SingleViewHub;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url === '/v1/traces')
          exports.push(
            JSON.parse(
              (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8'),
            ) as OtlpExport,
          );
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const traces = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).observability.traces!;
    tracing = await startTracing(traces);
    hub = await startSingleViewHub({ households: 60, seed: 'tracing', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await hub?.stop();
    // The exporter keeps its connection alive; the collector closes it.
    collector?.closeAllConnections();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('makes each request one trace through policy, lookups and the audit append, with the request id and no personal data', async () => {
    // The person known to the most of the sources the view asks for (each is asked once for the view).
    const [member]: { id: string; household: string; sources: string[] }[] = await hub.db.dataSource.query(`
      select m.person_id::text as id, m.household_id::text as household, array_agg(distinct r.source order by r.source) as sources
        from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null and not r.deleted and r.source in ('housing', 'benefits', 'social-care')
       group by m.person_id, m.household_id order by count(distinct r.source) desc, m.person_id limit 1`);
    expect(member.sources.length).toBeGreaterThanOrEqual(2);
    await hub.app
      .get(CaseAssignmentsService)
      .assign(
        { subjectKind: 'household', subjectId: member.household, team: 'early-help-north' },
        { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] },
      );
    const alice = await hub.token({
      subject: 'am-alice',
      organisation: 'council',
      roles: [Role.AccountManager],
      team: 'early-help-north',
    });
    const view = (requestId: string) =>
      request(hub.server)
        .post('/graphql')
        .set({ authorization: `Bearer ${alice}`, 'x-purpose': 'EARLY_HELP', 'x-request-id': requestId })
        .send({
          query: `{ person(id: "${member.id}") { id givenName familyName dateOfBirth housing { tenancies { tenure } } benefits { housingBenefitClaims { status } } socialCare { childrenSocialCare { caseType } } } }`,
        })
        .expect(200);
    hub.resetCalls();
    const requestId = randomUUID();
    const other = randomUUID();
    const answer = await view(requestId);
    expect(answer.body.errors).toBeUndefined();
    const callsOfView = new Map([...hub.calls].map(([source, calls]) => [source, calls.length]));
    await view(other);
    await tracing.shutdown();

    const spans = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const root = spans.find((s) => s.name === 'POST /graphql' && attr(s, 'hub.request_id') === requestId);
    expect(root).toBeDefined();
    expect(root!.parentSpanId ?? '').toBe('');
    expect(root!.kind).toBe(SERVER);
    expect([
      attr(root!, 'http.route'),
      attr(root!, 'http.response.status_code'),
      attr(root!, 'hub.graphql.operation'),
      attr(root!, 'hub.graphql.outcome'),
    ]).toEqual(['/graphql', '200', 'person', 'ok']);

    // One trace, a tree under the request's span.
    const trace = spans.filter((s) => s.traceId === root!.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const span of trace)
      if (span !== root) expect([span.name, byId.has(span.parentSpanId ?? '')]).toEqual([span.name, true]);
    const ancestors = (span: OtlpSpan): string[] =>
      span.parentSpanId && byId.has(span.parentSpanId)
        ? [byId.get(span.parentSpanId)!.name, ...ancestors(byId.get(span.parentSpanId)!)]
        : [];

    const named = (name: string) => trace.filter((s) => s.name === name);
    expect(named('policy.decide').map((s) => attr(s, 'hub.operation'))).toEqual(['person.view']);
    expect(attr(named('policy.decide')[0], 'hub.decisions.allow')).toBe('1');
    const lookups = named('source.lookup');
    expect(lookups.map((s) => attr(s, 'hub.source')).sort()).toEqual(member.sources);
    expect(lookups.map((s) => attr(s, 'hub.outcome'))).toEqual(member.sources.map(() => 'ok'));
    expect(member.sources.map((source) => callsOfView.get(source))).toEqual(member.sources.map(() => 1));
    // Each lookup's HTTP call to its source, under it.
    const calls = named('source.http');
    expect(calls.map((s) => attr(s, 'hub.source')).sort()).toEqual(member.sources);
    for (const call of calls) expect(ancestors(call)[0]).toBe('source.lookup');
    const appends = named('audit.append').filter((s) => attr(s, 'hub.audit.operation') === 'person.view');
    expect(appends).toHaveLength(1);
    expect(ancestors(appends[0])).toEqual(expect.arrayContaining(['policy.decide', 'POST /graphql']));
    expect(Number(attr(appends[0], 'hub.audit.seq'))).toBeGreaterThan(0);
    for (const span of [...named('policy.decide'), ...lookups, ...appends])
      expect([span.name, attr(span, 'hub.request_id')]).toEqual([span.name, requestId]);

    // The other request is a trace of its own.
    const otherRoot = spans.find((s) => s.name === 'POST /graphql' && attr(s, 'hub.request_id') === other);
    expect(otherRoot?.traceId).toEqual(expect.any(String));
    expect(otherRoot!.traceId).not.toBe(root!.traceId);
    expect(trace.filter((s) => attr(s, 'hub.request_id') === other)).toEqual([]);

    // No attribute, of any span or of the resource, holds a personal value; the check itself finds one.
    const personal = await personalValuesOf(hub.db.dataSource);
    expect(personal.contained).toEqual(expect.arrayContaining([member.id, 'am-alice']));
    const person = answer.body.data.person;
    expect(
      [person.givenName, person.familyName, person.dateOfBirth].every((value: string) => personal.exact.has(value)),
    ).toBe(true);
    expect(personalValuesIn([person.familyName, `id ${member.id}`], personal)).toEqual([
      person.familyName,
      `id ${member.id}`,
    ]);
    const resourceAttributes = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.resource.attributes));
    const values = [
      ...spans.flatMap((s) => [s.name, ...(s.attributes ?? []).map((a) => scalar(a.value))]),
      ...resourceAttributes.map((a) => scalar(a.value)),
    ];
    expect(values.length).toBeGreaterThan(50);
    expect(personalValuesIn(values, personal)).toEqual([]);
    // The command line (the process detector's) is not sent; the service is named.
    expect(resourceAttributes.map((a) => a.key)).not.toContain('process.command_args');
    expect(resourceAttributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe('single-view-hub');
  });
});
