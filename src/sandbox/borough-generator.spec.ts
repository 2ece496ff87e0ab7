import { isValid as isValidPostcode } from 'postcode';
import { isValidNhsNumber, isValidNino } from '../sources/identifiers';
import { generateBorough, groundTruth } from './borough-generator';
import { Borough, RecordedIdentity } from './borough-model';
import { nicknames } from './name-data';

describe('the synthetic borough generator', () => {
  let borough: Borough;
  beforeAll(() => {
    borough = generateBorough({ households: 2000, seed: 'spec' });
  });

  it('gives the same borough, value for value, for the same seed', () => {
    const again = generateBorough({ households: 2000, seed: 'spec' });
    expect(JSON.stringify(again)).toBe(JSON.stringify(borough));
  });

  it('gives a different borough for a different seed', () => {
    const other = generateBorough({ households: 2000, seed: 'spec-2' });
    expect(other.people.map((p) => p.givenName + p.dateOfBirth)).not.toEqual(
      borough.people.map((p) => p.givenName + p.dateOfBirth),
    );
    expect(other.housing.length).not.toBe(borough.housing.length);
  });

  it('makes the requested households, with valid NHS numbers, NINOs, postcodes and UPRNs', () => {
    expect(borough.households).toHaveLength(2000);
    expect(borough.people.every((p) => isValidNhsNumber(p.nhsNumber))).toBe(true);
    const withNino = borough.people.filter((p) => p.nino);
    expect(withNino.length).toBeGreaterThan(borough.people.length / 2);
    expect(withNino.every((p) => isValidNino(p.nino!))).toBe(true);
    expect(new Set(withNino.map((p) => p.nino)).size).toBe(withNino.length);
    expect(borough.addresses.every((a) => isValidPostcode(a.postcode))).toBe(true);
    expect(borough.addresses.every((a) => /^\d{12}$/.test(a.uprn))).toBe(true);
    expect(new Set(borough.addresses.map((a) => a.uprn)).size).toBe(borough.addresses.length);
  });

  it('models real households: couples, children, twins, lodgers, house shares, senior and junior, moves, births and deaths', () => {
    const kinds = new Set(borough.households.map((h) => h.kind));
    expect([...kinds].sort()).toEqual([
      'couple',
      'family',
      'family-with-lodger',
      'house-share',
      'multi-generation',
      'older-couple',
      'single',
      'single-parent',
    ]);
    const people = new Map(borough.people.map((p) => [p.id, p]));
    const twins = borough.households.filter((h) => {
      const dobs = h.members.filter((m) => m.role === 'child').map((m) => people.get(m.personId)!.dateOfBirth);
      return new Set(dobs).size < dobs.length;
    });
    expect(twins.length).toBeGreaterThan(0);
    const seniorJunior = borough.households.filter((h) =>
      h.members.some((m) => people.get(m.personId)!.suffix === 'Jr'),
    );
    expect(seniorJunior.length).toBeGreaterThan(0);
    for (const h of seniorJunior) {
      const [senior, junior] = ['Sr', 'Jr'].map((s) =>
        h.members.map((m) => people.get(m.personId)!).find((p) => p.suffix === s)!,
      );
      expect(`${junior.givenName} ${junior.familyName}`).toBe(`${senior.givenName} ${senior.familyName}`);
    }
    expect(borough.households.some((h) => h.members.some((m) => m.role === 'lodger'))).toBe(true);
    expect(borough.households.some((h) => h.previousAddressId)).toBe(true);
    expect(borough.households.some((h) => h.members.some((m) => m.from))).toBe(true); // births
    expect(borough.people.some((p) => p.dateOfDeath)).toBe(true);
    expect(borough.people.some((p) => p.birthFamilyName)).toBe(true); // maiden names
    expect(borough.people.some((p) => p.familyName.includes('-'))).toBe(true);
  });

  it('records people as real sources do: nicknames, typos, swapped dates, bad NINOs, old addresses, maiden names', () => {
    const people = new Map(borough.people.map((p) => [p.id, p]));
    const households = new Map(borough.households.flatMap((h) => h.members.map((m) => [m.personId, h] as const)));
    const views: RecordedIdentity[] = [...borough.housing, ...borough.benefits, ...borough.socialCare];
    const count = (test: (v: RecordedIdentity) => boolean) => views.filter(test).length;
    expect(count((v) => nicknames[people.get(v.personId)!.givenName]?.includes(v.givenName) ?? false)).toBeGreaterThan(
      10,
    );
    expect(
      count((v) => {
        const [y, m, d] = people.get(v.personId)!.dateOfBirth.split('-');
        return m !== d && v.dateOfBirth === `${y}-${d}-${m}`;
      }),
    ).toBeGreaterThan(0);
    expect(count((v) => v.nino !== undefined && !isValidNino(v.nino.replace(/\s/g, '').toUpperCase()))).toBeGreaterThan(
      0,
    );
    expect(count((v) => v.nino !== undefined && /\s/.test(v.nino))).toBeGreaterThan(0);
    expect(
      count(
        (v) =>
          v.familyName !== people.get(v.personId)!.familyName &&
          v.familyName === people.get(v.personId)!.birthFamilyName,
      ),
    ).toBeGreaterThan(0);
    expect(count((v) => (v.previousFamilyNames?.length ?? 0) > 0)).toBeGreaterThan(0);
    expect(count((v) => v.addressId === households.get(v.personId)!.previousAddressId)).toBeGreaterThan(0);
    expect(count((v) => v.dateOfBirth === undefined)).toBeGreaterThan(0);
  });

  it('writes a ground truth naming the person behind every source record and who lives together', () => {
    const truth = groundTruth(borough);
    expect(truth.records).toHaveLength(borough.housing.length + borough.benefits.length + borough.socialCare.length);
    for (const source of ['housing', 'benefits', 'social-care']) {
      const keys = truth.records.filter((r) => r.source === source).map((r) => r.sourceKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const ids = new Set(borough.people.map((p) => p.id));
    expect(truth.records.every((r) => ids.has(r.personId) && r.householdId)).toBe(true);
    const sourcesPerPerson = new Map<string, Set<string>>();
    for (const r of truth.records)
      sourcesPerPerson.set(r.personId, (sourcesPerPerson.get(r.personId) ?? new Set()).add(r.source));
    expect([...sourcesPerPerson.values()].filter((s) => s.size === 3).length).toBeGreaterThan(10);
    expect(truth.households).toHaveLength(2000);
    expect(truth.households.every((h) => /^\d{12}$/.test(h.uprn))).toBe(true);
  });
});
