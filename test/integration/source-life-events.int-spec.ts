import { randomUUID } from 'node:crypto';
import { appendFile, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { sandboxDataFile } from '../../src/sandbox/borough-files';
import { sandboxDefinitions } from '../../src/sandbox/sandbox-registry';
import {
  LifeEventNotice,
  LifeEventNoticeRefused,
  SourceAdapter,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import { createAdapter } from '../../src/sources/source-registry';
import { SourceErrorCode, SourceException } from '../../src/sources/source-transport';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';

// Jest ignores testTimeout inside `projects`; these suites start servers.
jest.setTimeout(60_000);

/**
 * The source systems' side of Tell Us Once, per source: each adapter's `notify()` over real HTTP to its
 * sandbox, which applies the notice as the real system would, once per idempotency key, undoes it on
 * retraction, and shows the change in its identity feed for the next incremental sync.
 */

type Source = 'housing' | 'benefits' | 'social-care';
const sources: Source[] = ['housing', 'benefits', 'social-care'];

let sandboxes: SandboxSources;
/** A record of each source the common contract can notify about (a fixture or one of the borough's). */
const subject: Record<Source, string> = { housing: 'T9000010', benefits: '', 'social-care': '' };

const adapter = (source: Source): SourceAdapter => sandboxes.adapters.get(source)!;

function notice(overrides: Partial<LifeEventNotice> & Pick<LifeEventNotice, 'type' | 'sourceKeys'>): LifeEventNotice {
  return { idempotencyKey: randomUUID(), kind: 'NOTICE', eventId: randomUUID(), ...overrides };
}

function retraction(of: LifeEventNotice): LifeEventNotice {
  return { ...of, idempotencyKey: randomUUID(), kind: 'RETRACTION' };
}

/** Reads the identity feed to its end: every record by key (last version seen) and the cursor for changes. */
async function feed(
  source: Source,
  cursor?: string,
): Promise<{ records: Map<string, SourceIdentityRecord>; cursor: string }> {
  const records = new Map<string, SourceIdentityRecord>();
  let next = cursor;
  for (;;) {
    const page = await adapter(source).pullIdentities(next);
    for (const record of page.records) records.set(record.sourceKey, record);
    next = page.nextCursor;
    if (page.complete) return { records, cursor: next };
  }
}

async function details(source: Source, key: string) {
  return (await adapter(source).fetchDetails([key])).get(key) ?? [];
}

async function applied(source: Source, key: string) {
  return (await sandboxes.lifeEvents(source)).filter((entry) => entry.idempotencyKey === key);
}

function housingTenant(ref: string, tenancy: string, role: string, fullName: string) {
  return {
    tenant_ref: ref,
    title: null,
    full_name: fullName,
    previous_surname: null,
    dob: '01/02/1970',
    gender: 'Female',
    ni_number: null,
    nhs_no: null,
    property: {
      uprn: `1000900${tenancy.slice(-5)}`,
      address1: `${Number(tenancy.slice(-2))} Test Road`,
      address2: null,
      address3: null,
      town: 'Testham',
      post_code: 'SE15 4AA',
    },
    tel: null,
    email: null,
    tenancy_ref: tenancy,
    application_ref: null,
    tenancy_role: role,
    tenure: 'Secure',
    tenancy_start: '01/04/2010',
    tenancy_end: null,
    rent_account_status: 'Clear',
    application_status: null,
  };
}

const newAddress = { lines: ['Flat 2', '7 Elm Grove', 'London'], postcode: 'SE15 5DD', uprn: '100021234567' };

beforeAll(async () => {
  sandboxes = await startSandboxSources({ households: 60, seed: 'life-events' });
  // Housing fixtures: a sole tenancy with a household member, a joint tenancy, a tenancy for moves and births.
  const fixtures = [
    housingTenant('T9000001', 'TEN900001', 'Lead Tenant', 'Ada Lovelace'),
    housingTenant('T9000002', 'TEN900001', 'Household Member', 'Byron Lovelace'),
    housingTenant('T9000003', 'TEN900002', 'Lead Tenant', 'Carl Jung'),
    housingTenant('T9000004', 'TEN900002', 'Joint Tenant', 'Emma Jung'),
    housingTenant('T9000005', 'TEN900003', 'Household Member', 'Frank Moss'),
    housingTenant('T9000006', 'TEN900003', 'Lead Tenant', 'Grace Moss'),
    housingTenant('T9000010', 'TEN900010', 'Lead Tenant', 'Ivy Common'),
  ];
  for (const record of fixtures) await sandboxes.mutate('housing', { op: 'upsert', record });
  // Benefits and social care: records of the generated borough (claims and involvements are not fixtures).
  const benefits = JSON.parse(await readFile(sandboxDataFile(sandboxes.dir, 'benefits'), 'utf8')) as {
    parties: { partyId: string; claimReference: string; partyRole?: string; deleted?: boolean }[];
    claims: { claimReference: string; status: string }[];
  };
  const live = benefits.claims.filter((c) => c.status === 'LIVE').map((c) => c.claimReference);
  const claimants = benefits.parties.filter(
    (p) => p.partyRole === 'CLMT' && !p.deleted && live.includes(p.claimReference),
  );
  benefitsClaimant = claimants[0].partyId;
  subject.benefits = claimants[1].partyId;
  benefitsOther = claimants[2].partyId;
  const care = JSON.parse(await readFile(sandboxDataFile(sandboxes.dir, 'social-care'), 'utf8')) as {
    people: { personId: string; recordState: string }[];
    involvements: { personId: string; closeDate: string | null }[];
  };
  const open = new Set(care.involvements.filter((i) => i.closeDate === null).map((i) => i.personId));
  const withOpen = care.people.filter((p) => p.recordState === 'ACTIVE' && open.has(p.personId));
  careWithOpenCase = withOpen[0].personId;
  const others = care.people.filter((p) => p.recordState === 'ACTIVE' && p.personId !== careWithOpenCase);
  subject['social-care'] = others[0].personId;
  careOther = others[1].personId;
});

afterAll(async () => {
  await sandboxes?.close();
});

let benefitsClaimant: string;
let benefitsOther: string;
let careWithOpenCase: string;
let careOther: string;

describe('housing: ends tenancies, records moves, adds births, changes names', () => {
  it('a sole tenant’s death ends the tenancy for everyone on it; the feed shows it; a repeat changes nothing', async () => {
    const { cursor } = await feed('housing');
    const death = notice({ type: 'DEATH', sourceKeys: ['T9000001'], date: '2025-10-30' });
    await expect(adapter('housing').notify!(death)).resolves.toEqual({
      outcome: 'applied',
      detail: 'sole tenancy TEN900001 ended',
    });
    for (const ref of ['T9000001', 'T9000002']) {
      const [tenancy] = await details('housing', ref);
      expect(tenancy.fields).toMatchObject({ endDate: '2025-10-30', rentAccountStatus: 'Closed' });
    }
    const changed = await feed('housing', cursor);
    expect(changed.records.get('T9000001')!.householdHints).toEqual([
      expect.objectContaining({ groupKey: 'TEN900001', kind: 'tenancy', to: '2025-10-30' }),
    ]);
    expect(changed.records.get('T9000002')!.householdHints[0].to).toBe('2025-10-30');

    const before = (await feed('housing')).records.get('T9000001');
    await expect(adapter('housing').notify!(death)).resolves.toEqual({
      outcome: 'already-applied',
      detail: 'sole tenancy TEN900001 ended',
    });
    expect((await feed('housing')).records.get('T9000001')).toEqual(before);
    const [entry] = await applied('housing', death.idempotencyKey);
    expect(entry).toMatchObject({ kind: 'NOTICE', type: 'DEATH', outcome: 'applied', received: 2 });
    expect(entry.changes.map((c) => c.key)).toEqual(['T9000001', 'T9000002']);
  });

  it('a retraction undoes the death: the tenancy runs again, in the feed too', async () => {
    const death = (await sandboxes.lifeEvents('housing')).find((e) => e.detail === 'sole tenancy TEN900001 ended')!;
    const { cursor } = await feed('housing');
    const undo = notice({ kind: 'RETRACTION', eventId: death.eventId, type: 'DEATH', sourceKeys: ['T9000001'] });
    await expect(adapter('housing').notify!(undo)).resolves.toEqual({
      outcome: 'applied',
      detail: 'undone: sole tenancy TEN900001 ended',
    });
    const [tenancy] = await details('housing', 'T9000001');
    expect(tenancy.fields).toMatchObject({ endDate: null, rentAccountStatus: 'Clear' });
    expect((await feed('housing', cursor)).records.get('T9000002')!.householdHints[0].to).toBeUndefined();
    await expect(adapter('housing').notify!(undo)).resolves.toMatchObject({ outcome: 'already-applied' });
    const [notified] = (await sandboxes.lifeEvents('housing')).filter((e) => e.eventId === death.eventId);
    expect(notified.retractedBy).toBe(undo.idempotencyKey);
  });

  it('a joint tenant’s death passes the tenancy to the survivor, who becomes the tenant', async () => {
    const death = notice({ type: 'DEATH', sourceKeys: ['T9000003'], date: '2025-09-01' });
    await expect(adapter('housing').notify!(death)).resolves.toEqual({
      outcome: 'applied',
      detail: 'tenancy TEN900002 passed to the surviving joint tenant',
    });
    const [deceased] = await details('housing', 'T9000003');
    const [survivor] = await details('housing', 'T9000004');
    expect(deceased.fields).toMatchObject({ endDate: '2025-09-01', rentAccountStatus: 'Clear' });
    expect(survivor.fields).toMatchObject({ endDate: null, role: 'tenant', rentAccountStatus: 'Clear' });
    await adapter('housing').notify!(retraction(death));
    expect((await details('housing', 'T9000004'))[0].fields).toMatchObject({ role: 'joint-tenant' });
    expect((await details('housing', 'T9000003'))[0].fields).toMatchObject({ endDate: null });
  });

  it('a move ends the mover’s part in the tenancy at the date of the move', async () => {
    const { cursor } = await feed('housing');
    const move = notice({ type: 'CHANGE_OF_ADDRESS', sourceKeys: ['T9000005'], date: '2025-08-15', newAddress });
    await expect(adapter('housing').notify!(move)).resolves.toEqual({
      outcome: 'applied',
      detail: 'a household member left tenancy TEN900003',
    });
    expect((await feed('housing', cursor)).records.get('T9000005')!.householdHints[0]).toMatchObject({
      groupKey: 'TEN900003',
      to: '2025-08-15',
    });
    expect((await details('housing', 'T9000006'))[0].fields).toMatchObject({ endDate: null });
    const [entry] = await applied('housing', move.idempotencyKey);
    expect(entry.changes[0].after).toMatchObject({
      tenancy_end: '15/08/2025',
      forwarding_address: { address1: 'Flat 2', address2: '7 Elm Grove', town: 'London', post_code: 'SE15 5DD' },
    });
  });

  it('a birth adds the child to the parent’s household once; its retraction removes the record', async () => {
    const { cursor } = await feed('housing');
    const birth = notice({
      type: 'BIRTH',
      sourceKeys: ['T9000006'],
      date: '2025-10-01',
      child: { givenName: 'Hope', familyName: 'Moss', sex: 'F', dateOfBirth: '2025-10-01' },
    });
    const receipt = await adapter('housing').notify!(birth);
    expect(receipt).toEqual({ outcome: 'applied', detail: 'child added to TEN900003' });
    const [added] = (await applied('housing', birth.idempotencyKey))[0].changes;
    expect(added).toMatchObject({ added: true, key: expect.stringMatching(/^T\d{7}$/) });
    const childRef = added.key;
    const child = (await feed('housing', cursor)).records.get(childRef)!;
    expect(child.identity).toMatchObject({
      givenName: 'Hope',
      familyName: 'Moss',
      dateOfBirth: '2025-10-01',
      sex: 'F',
    });
    expect(child.householdHints).toEqual([
      expect.objectContaining({ groupKey: 'TEN900003', kind: 'tenancy', role: 'occupant', from: '2025-10-01' }),
    ]);
    await expect(adapter('housing').notify!(birth)).resolves.toMatchObject({ outcome: 'already-applied' });
    const hopes = [...(await feed('housing')).records.values()].filter((r) => r.identity.givenName === 'Hope');
    expect(hopes).toHaveLength(1);

    const { cursor: afterBirth } = await feed('housing');
    await expect(adapter('housing').notify!(retraction(birth))).resolves.toMatchObject({ outcome: 'applied' });
    expect((await feed('housing', afterBirth)).records.get(childRef)).toMatchObject({ deleted: true });
  });

  it('refuses a birth without the child: it could not add one', async () => {
    const bare = notice({ type: 'BIRTH', sourceKeys: ['T9000006'], date: '2025-10-01' });
    await expect(adapter('housing').notify!(bare)).rejects.toThrow(
      new LifeEventNoticeRefused('housing refused the notice: HTTP 400 (validation)'),
    );
  });

  it('a name change updates the name and keeps the previous surname', async () => {
    const { cursor } = await feed('housing');
    const rename = notice({ type: 'CHANGE_OF_NAME', sourceKeys: ['T9000006'], newName: { familyName: 'Okafor' } });
    await expect(adapter('housing').notify!(rename)).resolves.toMatchObject({ outcome: 'applied' });
    expect((await feed('housing', cursor)).records.get('T9000006')!.identity).toMatchObject({
      givenName: 'Grace',
      familyName: 'Okafor',
      previousFamilyNames: ['Moss'],
    });
  });
});

describe('benefits: suspends the claim of a deceased claimant, changes addresses and names', () => {
  it('a claimant’s death suspends the live claim and ends their award; a retraction makes it live again', async () => {
    const { cursor } = await feed('benefits');
    const death = notice({ type: 'DEATH', sourceKeys: [benefitsClaimant], date: '2025-10-20' });
    const receipt = await adapter('benefits').notify!(death);
    expect(receipt.outcome).toBe('applied');
    expect(receipt.detail).toMatch(/^death recorded; claim \d+ suspended for review$/);
    const records = await details('benefits', benefitsClaimant);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.fields.status).toBe('suspended');
    const changed = await feed('benefits', cursor);
    expect(changed.records.get(benefitsClaimant)!.householdHints[0]).toMatchObject({
      kind: 'benefit-claim',
      to: '2025-10-20',
    });
    await expect(adapter('benefits').notify!(death)).resolves.toMatchObject({ outcome: 'already-applied' });
    expect((await feed('benefits', changed.cursor)).records.size).toBe(0);

    await expect(adapter('benefits').notify!(retraction(death))).resolves.toMatchObject({ outcome: 'applied' });
    for (const record of await details('benefits', benefitsClaimant)) expect(record.fields.status).toBe('live');
    const undone = await feed('benefits', changed.cursor);
    expect(undone.records.get(benefitsClaimant)!.householdHints[0].to).toBeUndefined();
  });

  it('a move changes the claim address in the feed; a move without the new address is refused', async () => {
    const { cursor } = await feed('benefits');
    const move = notice({ type: 'CHANGE_OF_ADDRESS', sourceKeys: [benefitsOther], date: '2025-08-01', newAddress });
    await expect(adapter('benefits').notify!(move)).resolves.toMatchObject({ outcome: 'applied' });
    expect((await feed('benefits', cursor)).records.get(benefitsOther)!.identity).toMatchObject({
      uprn: '100021234567',
      postcode: 'SE15 5DD',
      addressLines: newAddress.lines,
    });
    const bare = notice({ type: 'CHANGE_OF_ADDRESS', sourceKeys: [benefitsOther], date: '2025-08-01' });
    await expect(adapter('benefits').notify!(bare)).rejects.toThrow(
      new LifeEventNoticeRefused('benefits refused the notice: HTTP 422 (invalid_notice)'),
    );
    expect(await applied('benefits', bare.idempotencyKey)).toEqual([]);
  });

  it('a name change keeps the former surname; a birth is nothing to do', async () => {
    const { cursor } = await feed('benefits');
    const rename = notice({
      type: 'CHANGE_OF_NAME',
      sourceKeys: [benefitsOther],
      newName: { givenName: 'Rowan', familyName: 'Achebe' },
    });
    await expect(adapter('benefits').notify!(rename)).resolves.toMatchObject({ outcome: 'applied' });
    const record = (await feed('benefits', cursor)).records.get(benefitsOther)!;
    expect(record.identity).toMatchObject({ givenName: 'Rowan', familyName: 'Achebe' });
    expect(record.identity.previousFamilyNames?.at(-1)).not.toBe('Achebe');
    expect(record.identity.previousFamilyNames?.length).toBeGreaterThan(0);
    const birth = notice({
      type: 'BIRTH',
      sourceKeys: [benefitsOther],
      child: { givenName: 'Ola', familyName: 'Achebe' },
      date: '2025-10-02',
    });
    await expect(adapter('benefits').notify!(birth)).resolves.toEqual({
      outcome: 'nothing-to-do',
      detail: 'a new dependant is added when the claimant reports the change of circumstances',
    });
    // Without the child (an agreement that does not release it): the same.
    const bare = notice({ type: 'BIRTH', sourceKeys: [benefitsOther], date: '2025-10-02' });
    await expect(adapter('benefits').notify!(bare)).resolves.toMatchObject({ outcome: 'nothing-to-do' });
  });
});

describe('social care: closes the involvement of a deceased person, changes addresses and names', () => {
  it('a death closes the open involvements and shows in the feed; a retraction reopens them', async () => {
    const { cursor } = await feed('social-care');
    const open = (await details('social-care', careWithOpenCase)).filter((r) => r.fields.closedOn === null);
    expect(open.length).toBeGreaterThan(0);
    const death = notice({ type: 'DEATH', sourceKeys: [careWithOpenCase], date: '2025-10-25' });
    const receipt = await adapter('social-care').notify!(death);
    expect(receipt).toEqual({ outcome: 'applied', detail: 'death recorded; open involvements closed' });
    const after = await details('social-care', careWithOpenCase);
    for (const record of open)
      expect(after.find((r) => r.recordId === record.recordId)!.fields.closedOn).toBe('2025-10-25');
    const changed = await feed('social-care', cursor);
    expect(changed.records.has(careWithOpenCase)).toBe(true);
    await expect(adapter('social-care').notify!(death)).resolves.toMatchObject({ outcome: 'already-applied' });
    expect((await feed('social-care', changed.cursor)).records.size).toBe(0);

    await expect(adapter('social-care').notify!(retraction(death))).resolves.toMatchObject({ outcome: 'applied' });
    const reopened = await details('social-care', careWithOpenCase);
    for (const record of open) expect(reopened.find((r) => r.recordId === record.recordId)!.fields.closedOn).toBeNull();
  });

  it('a move changes the address and a name change the name, in the feed', async () => {
    const { cursor } = await feed('social-care');
    const move = notice({ type: 'CHANGE_OF_ADDRESS', sourceKeys: [careOther], date: '2025-07-01', newAddress });
    await expect(adapter('social-care').notify!(move)).resolves.toMatchObject({ outcome: 'applied' });
    const rename = notice({
      type: 'CHANGE_OF_NAME',
      sourceKeys: [careOther],
      newName: { givenName: 'Nia', familyName: 'Adeyemi' },
    });
    await expect(adapter('social-care').notify!(rename)).resolves.toMatchObject({ outcome: 'applied' });
    const record = (await feed('social-care', cursor)).records.get(careOther)!;
    expect(record.identity).toMatchObject({
      uprn: '100021234567',
      postcode: 'SE15 5DD',
      givenName: 'Nia',
      familyName: 'Adeyemi',
      addressLines: ['Flat 2', '7 Elm Grove'],
      locality: 'London',
    });
    expect(record.identity.previousFamilyNames?.length).toBeGreaterThan(0);
  });

  it('a birth is nothing to do', async () => {
    const birth = notice({
      type: 'BIRTH',
      sourceKeys: [careOther],
      child: { givenName: 'Ada', familyName: 'Adeyemi' },
    });
    await expect(adapter('social-care').notify!(birth)).resolves.toEqual({
      outcome: 'nothing-to-do',
      detail: 'a child is recorded when a referral is made',
    });
  });
});

describe.each(sources)('%s: the notify contract', (source) => {
  const refused = (key: string) => new LifeEventNoticeRefused(`${source} refused the notice: HTTP ${key}`);
  const refusal = {
    housing: refused('400 (validation)'),
    benefits: refused('422 (invalid_notice)'),
    'social-care': refused('400'),
  }[source];

  it.each([
    ['no keys', { type: 'DEATH', sourceKeys: [] }],
    ['a date that is not one', { type: 'DEATH', sourceKeys: ['K1'], date: '2025-02-30' }],
    ['a name change without the name', { type: 'CHANGE_OF_NAME', sourceKeys: ['K1'] }],
    [
      'a child without names',
      { type: 'BIRTH', sourceKeys: ['K1'], date: '2025-01-01', child: { givenName: ' ', familyName: '' } },
    ],
    ['an unknown type', { type: 'MARRIAGE', sourceKeys: ['K1'] }],
  ] as const)('refuses a notice with %s (4xx → LifeEventNoticeRefused), applying nothing', async (_, fields) => {
    const bad = notice(fields as unknown as Pick<LifeEventNotice, 'type' | 'sourceKeys'>);
    await expect(adapter(source).notify!(bad)).rejects.toThrow(refusal);
    expect(await applied(source, bad.idempotencyKey)).toEqual([]);
  });

  it('refuses a key used before for another notice (409)', async () => {
    const first = notice({ type: 'CHANGE_OF_NAME', sourceKeys: ['unknown-key'], newName: { familyName: 'One' } });
    await adapter(source).notify!(first);
    const reuse = { ...first, newName: { familyName: 'Two' } };
    await expect(adapter(source).notify!(reuse)).rejects.toThrow(LifeEventNoticeRefused);
    await expect(adapter(source).notify!(reuse)).rejects.toThrow(/HTTP 409/);
  });

  it('applies a key once when the same notice arrives twice at the same time (two hub instances)', async () => {
    const rename = notice({
      type: 'CHANGE_OF_NAME',
      sourceKeys: [subject[source]],
      newName: { givenName: 'Sam', familyName: `Twice${source.length}` },
    });
    const receipts = await Promise.all([adapter(source).notify!(rename), adapter(source).notify!(rename)]);
    expect(receipts.map((r) => r.outcome).sort()).toEqual(['already-applied', 'applied']);
    const [entry] = await applied(source, rename.idempotencyKey);
    expect(entry).toMatchObject({ outcome: 'applied', received: 2 });
    expect(entry.changes).toHaveLength(1);
  });

  it('answers nothing-to-do for keys it does not hold, and for a retraction of an event it never applied', async () => {
    await expect(
      adapter(source).notify!(notice({ type: 'DEATH', sourceKeys: ['no-such-record'], date: '2025-01-01' })),
    ).resolves.toMatchObject({ outcome: 'nothing-to-do' });
    const never = notice({ type: 'DEATH', sourceKeys: [subject[source]], date: '2025-01-01' });
    await expect(adapter(source).notify!(retraction(never))).resolves.toEqual({
      outcome: 'nothing-to-do',
      detail: 'no notice of this event was applied: nothing to undo',
    });
    // The notice of a retracted event, arriving late, is not applied.
    await expect(adapter(source).notify!(never)).resolves.toMatchObject({ outcome: 'nothing-to-do' });
    const [entry] = await applied(source, never.idempotencyKey);
    expect(entry).toMatchObject({ outcome: 'nothing-to-do', changes: [] });
  });

  it('a source failing (5xx) is a retryable error, not a refusal; once it is back the notice applies once', async () => {
    const move = notice({ type: 'CHANGE_OF_ADDRESS', sourceKeys: [subject[source]], date: '2025-06-01', newAddress });
    sandboxes.fail(source, { mode: '500', count: 3 });
    const error = (await adapter(source).notify!(move).catch((e: unknown) => e)) as SourceException;
    expect(error).toBeInstanceOf(SourceException);
    expect(error).not.toBeInstanceOf(LifeEventNoticeRefused);
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_HTTP_ERROR, status: 500, transient: true });
    expect(await applied(source, move.idempotencyKey)).toEqual([]);
    // Two failures, then the source answers: the transport's own retry gets the notice through, once.
    sandboxes.fail(source, { mode: '500', count: 2 });
    await expect(adapter(source).notify!(move)).resolves.toMatchObject({ outcome: 'applied' });
    sandboxes.fail(source, undefined);
    await expect(adapter(source).notify!(move)).resolves.toMatchObject({ outcome: 'already-applied' });
    expect(await applied(source, move.idempotencyKey)).toEqual([expect.objectContaining({ received: 2 })]);
  });

  it('garbage from the source is a clear error, not a refusal', async () => {
    sandboxes.fail(source, { mode: 'garbage', count: 1 });
    const error = await adapter(source).notify!(notice({ type: 'DEATH', sourceKeys: ['no-such-record'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_NOT_JSON, message: expect.stringContaining(source) });
    expect(error).not.toBeInstanceOf(LifeEventNoticeRefused);
    sandboxes.fail(source, undefined);
  });

  it('JSON of another shape, and a wrong credential, are errors to retry, not refusals', async () => {
    let server: Server | undefined;
    try {
      server = createServer((_, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const odd = createAdapter({ ...sandboxes.connection(source), baseUrl: `http://127.0.0.1:${port}` });
      await expect(odd.notify!(notice({ type: 'DEATH', sourceKeys: ['K1'] }))).rejects.toMatchObject({
        code: SourceErrorCode.SOURCE_BAD_RESPONSE,
      });
    } finally {
      await new Promise((resolve) => server?.close(resolve));
    }
    const connection = sandboxes.connection(source);
    const wrong = createAdapter({
      ...connection,
      authHeaders: Object.fromEntries(Object.keys(connection.authHeaders).map((h) => [h, 'wrong'])),
    });
    const error = await wrong.notify!(notice({ type: 'DEATH', sourceKeys: ['K1'] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_HTTP_ERROR, status: 401 });
    expect(error).not.toBeInstanceOf(LifeEventNoticeRefused);
  });

  it('a sandbox killed and started again replays its log: keys kept, changes kept, a torn last line ignored', async () => {
    const rename = notice({
      type: 'CHANGE_OF_NAME',
      sourceKeys: [subject[source]],
      newName: { givenName: 'Morgan', familyName: 'Restart' },
    });
    const first = await adapter(source).notify!(rename);
    expect(first.outcome).toBe('applied');
    const { records } = await feed(source);
    // What a SIGKILL leaves: the data file as last saved and the desk's log, its last line half written.
    const copy = await mkdtemp(join(tmpdir(), 'sandbox-restart-'));
    const dataFile = join(copy, `${source}.json`);
    await copyFile(sandboxDataFile(sandboxes.dir, source), dataFile);
    await copyFile(`${sandboxDataFile(sandboxes.dir, source)}.life-events.jsonl`, `${dataFile}.life-events.jsonl`);
    await appendFile(`${dataFile}.life-events.jsonl`, '{"seq":999999,"entry":{"idempotencyKey":"torn');
    const definition = sandboxDefinitions.find((d) => d.id === source)!;
    const again = await definition.start({ dataFile, secret: 'restarted' });
    try {
      const restarted = createAdapter({
        ...sandboxes.connection(source),
        baseUrl: again.url,
        authHeaders: again.authHeaders,
      });
      await expect(restarted.notify!(rename)).resolves.toEqual({ outcome: 'already-applied', detail: first.detail });
      const journal = again.lifeEvents();
      expect(journal.find((e) => e.idempotencyKey === rename.idempotencyKey)).toMatchObject({
        outcome: 'applied',
        received: 2,
      });
      expect(journal.map((e) => e.idempotencyKey)).toEqual(
        (await sandboxes.lifeEvents(source)).map((e) => e.idempotencyKey),
      );
      // The records as the running sandbox has them, change stamps included.
      const page = await restarted.pullIdentities();
      expect(page.records.length).toBeGreaterThan(0);
      let cursor: string | undefined;
      const replayed = new Map<string, SourceIdentityRecord>();
      for (;;) {
        const next = await restarted.pullIdentities(cursor);
        for (const record of next.records) replayed.set(record.sourceKey, record);
        cursor = next.nextCursor;
        if (next.complete) break;
      }
      expect(replayed).toEqual(records);
    } finally {
      await again.close();
      await rm(copy, { recursive: true, force: true });
    }
  });
});
