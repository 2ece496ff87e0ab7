import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { consolePersonas } from '../../src/console/console-router';
import { AuditEventInput } from '../../src/engine/audit-recorder';
import { Role } from '../../src/engine/principal';
import { appendHistoric, disclosure } from '../support/audit-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const ORGANISATIONS = ['council', 'nhs-trust', 'police', 'school', null] as const;
const PURPOSES = ['EARLY_HELP', 'HOUSING_NEED', 'SAFEGUARDING', null] as const;
/** Events written in the window: some 6,500 of them disclosures, more than the old console read (60 pages of 100). */
const EVENTS = 9_800;

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/**
 * The trail's history over the last 30 days and before: disclosures by five organisations (one anonymous)
 * under four purposes (one none), spread unevenly, one day left empty; and, between them, events that are
 * not disclosures (refused, errors, the DPO's own looks, events naming nobody) and disclosures older than
 * the window. Returns the events and what a count per UTC day should find, worked out here event by event.
 */
function history(now: number) {
  const events: { input: AuditEventInput; at: Date }[] = [];
  const expected = { total: 0, byOrganisation: new Map<string, number>(), byPurpose: new Map<string, number>() };
  const old = now - 45 * DAY;
  for (let i = 0; i < 200; i++) events.push({ input: disclosure(i), at: new Date(old + i * 60_000) });
  // From 29 days ago (midnight UTC) to an hour ago.
  const start = Math.floor(now / DAY) * DAY - 29 * DAY;
  const span = now - 3_600_000 - start;
  const emptyDay = utcDay(new Date(start + 12 * DAY));
  for (let i = 0; i < EVENTS; i++) {
    // Denser towards the end of the window, so days differ.
    const at = new Date(start + Math.floor(span * Math.sqrt(i / EVENTS)));
    if (utcDay(at) === emptyDay) continue;
    const organisation = ORGANISATIONS[(i * 7 + (i >> 5)) % ORGANISATIONS.length];
    const purpose = PURPOSES[(i * 3 + (i >> 7)) % PURPOSES.length];
    const actor = organisation ? { subject: `user-${i % 11}`, organisation, roles: [Role.AccountManager] } : undefined;
    const subjects = i % 3 === 0 ? { households: [`h-${i % 50}`] } : { persons: [`p-${i % 400}`] };
    const kind = i % 13;
    let input: AuditEventInput;
    if (kind === 1) input = disclosure(i, { actor, purpose: purpose ?? undefined, decision: 'deny', released: [] });
    else if (kind === 2) input = disclosure(i, { actor, purpose: purpose ?? undefined, decision: 'error' });
    else if (kind === 3) input = disclosure(i, { operation: 'dpo.timeline', purpose: 'data-protection-oversight' });
    else if (kind === 4) input = disclosure(i, { actor, purpose: purpose ?? undefined, subjects: undefined });
    else {
      input = disclosure(i, {
        actor,
        subjects,
        purpose: purpose ?? undefined,
        decision: i % 2 ? 'allow' : 'allow-with-redactions',
      });
      expected.total += 1;
      bump(expected.byOrganisation, `${utcDay(at)} ${organisation ?? 'anonymous'}`);
      bump(expected.byPurpose, `${utcDay(at)} ${purpose ?? 'no purpose given'}`);
    }
    events.push({ input, at });
  }
  return { events, expected, emptyDay, windowStart: utcDay(new Date(start)) };
}

type Counts = { name: string | null; disclosures: number }[];

describe('DPO: accesses over time, counted in PostgreSQL', () => {
  let hub: TestHub;
  let base: string;
  let dpo: string;
  let manager: string;
  let seeded: ReturnType<typeof history>;

  const gql = (query: string, variables: Record<string, unknown> = {}, token = dpo) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token}`)
      .set('x-request-id', 'activity-req-1')
      .send({ query, variables });

  const ACTIVITY = `query($input: AuditActivityInput) { auditActivity(input: $input) {
    from to disclosures days { day disclosures byOrganisation { name disclosures } byPurpose { name disclosures } } } }`;

  beforeAll(async () => {
    seeded = history(Date.now());
    hub = await startTestHub(
      { AUDIT_CHECKPOINT_INTERVAL: '0', SANDBOX_SOURCES: 'off', SYNC_ON_START: 'false', SYNC_SCHEDULE: 'off' },
      { beforeStart: (db) => appendHistoric(db.dataSource, seeded.events) },
    );
    const server = hub.server as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokens = hub.app.get(DevTokenIssuer);
    dpo = await tokens.issue({ subject: 'dpo.alice', organisation: 'council', roles: [Role.Dpo], ttlSeconds: 3600 });
    manager = await tokens.issue({
      subject: 'am.bob',
      organisation: 'council',
      roles: [Role.AccountManager],
      ttlSeconds: 3600,
    });
  });
  afterAll(() => hub?.stop());

  it('wrote a history that still verifies, with more disclosures than 60 pages of 100', async () => {
    const res = await gql('{ verifyAuditChain { valid checkedEvents } }').expect(200);
    expect(res.body.data.verifyAuditChain.valid).toBe(true);
    expect(res.body.data.verifyAuditChain.checkedEvents).toBeGreaterThanOrEqual(seeded.events.length);
    expect(seeded.expected.total).toBeGreaterThan(6_000);
  });

  it('counts every disclosure per UTC day by organisation and by purpose, days with none included', async () => {
    const res = await gql(ACTIVITY, { input: { days: 30 } }).expect(200);
    expect(res.body.errors).toBeUndefined();
    const activity = res.body.data.auditActivity;
    expect(activity.days).toHaveLength(30);
    expect(activity.days[0].day).toBe(seeded.windowStart);
    expect(activity.days.at(-1).day).toBe(utcDay(new Date()));
    expect(activity.disclosures).toBe(seeded.expected.total);
    const got = { byOrganisation: new Map<string, number>(), byPurpose: new Map<string, number>() };
    for (const day of activity.days as {
      day: string;
      disclosures: number;
      byOrganisation: Counts;
      byPurpose: Counts;
    }[]) {
      for (const { name, disclosures } of day.byOrganisation)
        got.byOrganisation.set(`${day.day} ${name ?? 'anonymous'}`, disclosures);
      for (const { name, disclosures } of day.byPurpose)
        got.byPurpose.set(`${day.day} ${name ?? 'no purpose given'}`, disclosures);
      expect(day.byOrganisation.reduce((n, c) => n + c.disclosures, 0)).toBe(day.disclosures);
      expect(day.byPurpose.reduce((n, c) => n + c.disclosures, 0)).toBe(day.disclosures);
    }
    expect(Object.fromEntries(got.byOrganisation)).toEqual(Object.fromEntries(seeded.expected.byOrganisation));
    expect(Object.fromEntries(got.byPurpose)).toEqual(Object.fromEntries(seeded.expected.byPurpose));
    expect(activity.days.find((d: { day: string }) => d.day === seeded.emptyDay)).toEqual({
      day: seeded.emptyDay,
      disclosures: 0,
      byOrganisation: [],
      byPurpose: [],
    });
  });

  it('counts the same over from and to, and records each look as dpo.activity', async () => {
    const from = `${seeded.windowStart}T00:00:00.000Z`;
    const to = new Date(Date.parse(from) + 30 * DAY).toISOString();
    const res = await gql(ACTIVITY, { input: { from, to } }).expect(200);
    expect(res.body.data.auditActivity).toMatchObject({ from, to, disclosures: seeded.expected.total });
    const looks = await hub.db.dataSource.query(
      `select actor_subject, purpose, decision, request_id, detail from audit_event
        where operation = 'dpo.activity' order by seq`,
    );
    expect(looks).toHaveLength(2);
    expect(looks[1]).toEqual({
      actor_subject: 'dpo.alice',
      purpose: 'data-protection-oversight',
      decision: 'allow',
      request_id: 'activity-req-1',
      detail: { from, to, days: 30, disclosures: seeded.expected.total },
    });
  });

  it('refuses other roles, and refuses a bad window without echoing it', async () => {
    const before = await hub.db.dataSource.query(
      `select count(*)::int as n from audit_event where operation = 'dpo.activity'`,
    );
    const refused = await gql(ACTIVITY, { input: { days: 7 } }, manager);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.body.data?.auditActivity ?? null).toBeNull();
    const [check] = await hub.db.dataSource.query(
      `select count(*)::int as n from audit_event where operation = 'access.role-check' and actor_subject = 'am.bob'`,
    );
    expect(check.n).toBeGreaterThanOrEqual(1);
    for (const input of [
      { days: 4567 },
      { days: 0 },
      { days: 7, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
      { from: '2020-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
      { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' },
      { from: '2026-03-02T00:00:00Z' },
    ]) {
      const res = await gql(ACTIVITY, { input }).expect(200);
      expect(res.body.errors[0].extensions.code).toBe('AUDIT_BAD_REQUEST');
      expect(res.body.errors[0].message).not.toMatch(/4567|2020|2026/);
      expect(res.body.data?.auditActivity ?? null).toBeNull();
    }
    const after = await hub.db.dataSource.query(
      `select count(*)::int as n from audit_event where operation = 'dpo.activity'`,
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it('draws the exact counts on the console page, from one audited call', async () => {
    const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const agent = request.agent(base);
    const start = await agent.get('/console').expect(200);
    await agent
      .post('/console/sign-in/persona')
      .type('form')
      .send({ _csrf: csrfOf(start.text), persona: consolePersonas.find((p) => p.name === 'DPO')!.id })
      .expect(303);
    const subject = consolePersonas.find((p) => p.name === 'DPO')!.token.subject;
    const [before] = await hub.db.dataSource.query(
      `select count(*)::int as n from audit_event where actor_subject = $1 and operation like 'dpo.%'`,
      [subject],
    );
    const page = await agent.get('/console/dpo/activity?days=30').expect(200);
    expect(page.text).toContain(`data-testid="disclosures">${seeded.expected.total} disclosures in the period.`);
    expect(page.text).not.toContain('the newest only');
    // Each bar segment carries its exact count ("12-01, council: 37"): every one expected, and no other.
    const segments = (chart: string) => {
      const figure = new RegExp(`data-testid="chart-${chart}"[\\s\\S]*?</figure>`).exec(page.text)![0];
      return Object.fromEntries(
        [...figure.matchAll(/<rect [^>]*><title>(\d\d-\d\d), ([^<]+): (\d+)<\/title>/g)].map((m) => [
          `${m[1]} ${m[2]}`,
          Number(m[3]),
        ]),
      );
    };
    const shortened = (counts: Map<string, number>) =>
      Object.fromEntries([...counts].map(([key, n]) => [key.slice(5), n]));
    expect(segments('by-organisation')).toEqual(shortened(seeded.expected.byOrganisation));
    expect(segments('by-purpose')).toEqual(shortened(seeded.expected.byPurpose));
    const looks = await hub.db.dataSource.query(
      `select operation from audit_event where actor_subject = $1 and operation like 'dpo.%' order by seq offset $2`,
      [subject, before.n],
    );
    expect(looks).toEqual([{ operation: 'dpo.activity' }]);
  });
});
