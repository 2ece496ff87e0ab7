import { HouseholdHint } from '../sources/source-adapter';
import { addressKey, PersonHomeEvidence, resolveHouseholds } from './household-resolution';

const now = new Date('2026-06-01T00:00:00Z');
const tenancy = (groupKey: string, role = 'tenant', extra: Partial<HouseholdHint> = {}): HouseholdHint => ({
  kind: 'tenancy',
  groupKey,
  role,
  ...extra,
});

function person(
  personId: string,
  uprn: string | undefined,
  hints: HouseholdHint[] = [],
  extra: Partial<PersonHomeEvidence> = {},
) {
  return { personId, records: [{ source: 'housing', uprn, hints, lastSeen: '2026-05-01' }], ...extra };
}

const membersOf = (households: ReturnType<typeof resolveHouseholds>) =>
  households.map((h) => h.members.map((m) => m.personId)).sort((a, b) => a[0].localeCompare(b[0]));

describe('resolveHouseholds', () => {
  it('puts the people of one tenancy at one address in one household, with roles and evidence', () => {
    const result = resolveHouseholds(
      [person('ann', '100', [tenancy('T1', 'tenant')]), person('ben', '100', [tenancy('T1', 'occupant')])],
      [],
      now,
    );
    expect(result).toHaveLength(1);
    expect(result[0].addressKey).toBe('uprn:100');
    expect(result[0].members).toEqual([
      {
        personId: 'ann',
        role: 'tenant',
        evidence: [{ source: 'housing', kind: 'tenancy', groupKey: 'T1', role: 'tenant' }],
      },
      {
        personId: 'ben',
        role: 'occupant',
        evidence: [{ source: 'housing', kind: 'tenancy', groupKey: 'T1', role: 'occupant' }],
      },
    ]);
  });

  it('keeps two tenancies in one house share as two households', () => {
    const result = resolveHouseholds(
      [
        person('a', '7', [tenancy('T1')]),
        person('b', '7', [tenancy('T2')]),
        person('c', '7', [tenancy('T2', 'joint-tenant')]),
      ],
      [],
      now,
    );
    expect(membersOf(result)).toEqual([['a'], ['b', 'c']]);
  });

  it('joins someone no source groups into the only household at their address, but not into a house share', () => {
    const single = resolveHouseholds([person('a', '1', [tenancy('T1')]), person('baby', '1')], [], now);
    expect(membersOf(single)).toEqual([['a', 'baby']]);
    const share = resolveHouseholds(
      [person('a', '2', [tenancy('T1')]), person('b', '2', [tenancy('T2')]), person('x', '2')],
      [],
      now,
    );
    expect(membersOf(share)).toEqual([['a'], ['b'], ['x']]);
  });

  it('does not merge homes across addresses through a shared group, and ignores ended groups', () => {
    const result = resolveHouseholds(
      [
        person('claimant', '10', [{ kind: 'benefit-claim', groupKey: 'C1', role: 'claimant' }]),
        person('partner', '20', [{ kind: 'benefit-claim', groupKey: 'C1', role: 'partner' }]),
      ],
      [],
      now,
    );
    expect(membersOf(result)).toEqual([['claimant'], ['partner']]);
    const ended = resolveHouseholds(
      [
        person('a', '5', [tenancy('T1')]),
        person('b', '5', [tenancy('T9', 'tenant', { to: '2025-01-01' })]),
        person('c', '5', [tenancy('T2')]),
      ],
      [],
      now,
    );
    // b's tenancy has ended and two households remain at the address, so b stands alone.
    expect(membersOf(ended)).toEqual([['a'], ['b'], ['c']]);
  });

  it('places a person at the address of their most recently confirmed record', () => {
    const mover: PersonHomeEvidence = {
      personId: 'mover',
      records: [
        { source: 'benefits', uprn: '1', hints: [], lastSeen: '2024-01-01' },
        { source: 'housing', uprn: '2', hints: [tenancy('T2')], lastSeen: '2026-05-01' },
      ],
    };
    const [household] = resolveHouseholds([mover], [], now);
    expect(household.addressKey).toBe('uprn:2');
  });

  it('leaves out the deceased and people with no usable address', () => {
    const result = resolveHouseholds(
      [
        person('gone', '3', [tenancy('T1')], { deceased: true }),
        { personId: 'nowhere', records: [{ source: 'x', hints: [], lastSeen: '2026-01-01' }] },
      ],
      [],
      now,
    );
    expect(result).toEqual([]);
  });

  it('keeps household ids stable: the group that shares most members with an existing household continues it', () => {
    const existing = [
      { id: 'H-old', addressKey: 'uprn:100', members: ['ann', 'ben', 'cat'] },
      { id: 'H-other', addressKey: 'uprn:999', members: ['ann'] },
    ];
    const result = resolveHouseholds(
      [
        person('ann', '100', [tenancy('T1')]),
        person('ben', '100', [tenancy('T1')]),
        person('dan', '100', [tenancy('T3')]),
      ],
      existing,
      now,
    );
    const continued = result.find((h) => h.existingId === 'H-old');
    expect(continued?.members.map((m) => m.personId)).toEqual(['ann', 'ben']);
    expect(result.find((h) => h.members.some((m) => m.personId === 'dan'))?.existingId).toBeUndefined();
  });
});

describe('addressKey', () => {
  it('prefers the UPRN, without leading zeros, then postcode and first line, else nothing', () => {
    expect(addressKey({ uprn: '000100023', postcode: 'SW1A 2AA' })).toBe('uprn:100023');
    expect(addressKey({ postcode: 'sw1a2aa', addressLines: ['10, Downing  Street'] })).toBe(
      'addr:SW1A 2AA|10 downing street',
    );
    expect(addressKey({ postcode: 'SW1A 2AA' })).toBeUndefined();
    expect(addressKey({ postcode: 'not a postcode', addressLines: ['1 High St'] })).toBeUndefined();
  });
});
