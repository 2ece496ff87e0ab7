import {
  Borough,
  BoroughHousehold,
  BoroughPerson,
  GroundTruth,
  HouseholdKind,
  HouseholdMember,
  Sex,
} from './borough-model';
import { PeopleFactory } from './borough-people';
import type { SandboxDefinition } from './sandbox-kit';
import { SourceRecorder } from './borough-sources';
import { SeededRandom } from './seeded-random';

export interface BoroughOptions {
  households: number;
  seed: string;
  /** ISO date the borough is "as at"; fixed by default so that a seed alone fixes the output. */
  referenceDate?: string;
}

export const defaultReferenceDate = '2025-11-01';

const kindWeights: Record<HouseholdKind, number> = {
  single: 26,
  couple: 16,
  family: 22,
  'single-parent': 11,
  'older-couple': 8,
  'house-share': 7,
  'multi-generation': 4,
  'family-with-lodger': 6,
};

/**
 * Generates a synthetic borough: households of real shapes (couples, children, lodgers, house shares,
 * moves, births, deaths), each person recorded by some of the three sources with the mess of real data.
 * Deterministic: the same options always give the same borough, value for value.
 */
export function generateBorough(options: BoroughOptions): Borough {
  const referenceDate = options.referenceDate ?? defaultReferenceDate;
  const rng = new SeededRandom(`borough:${options.seed}`);
  const factory = new PeopleFactory(rng, referenceDate);
  const households: BoroughHousehold[] = [];
  for (let i = 0; i < options.households; i += 1) households.push(makeHousehold(rng, factory, i));
  const recorder = new SourceRecorder(new SeededRandom(`sources:${options.seed}`), factory);
  for (const household of households) recorder.record(household);
  return {
    seed: options.seed,
    householdCount: options.households,
    referenceDate,
    addresses: factory.addresses,
    people: factory.people,
    households,
    housing: recorder.housing,
    benefits: recorder.benefits,
    socialCare: recorder.socialCare,
  };
}

function makeHousehold(rng: SeededRandom, f: PeopleFactory, index: number): BoroughHousehold {
  const kind = rng.weighted(kindWeights);
  const address = f.address();
  const moved = rng.chance(0.15);
  const household: BoroughHousehold = {
    id: `H${String(index + 1).padStart(6, '0')}`,
    kind,
    addressId: address.id,
    movedIn: moved ? f.daysAgo(rng.int(30, 3 * 365)) : f.daysAgo(rng.int(3 * 365, 25 * 365)),
    members: [],
  };
  if (moved) household.previousAddressId = f.address().id;
  const add = (person: BoroughPerson, role: HouseholdMember['role']) =>
    household.members.push({ personId: person.id, role });
  const sex = (): Sex => (rng.chance(0.5) ? 'F' : 'M');

  if (kind === 'single') add(f.person(sex(), f.dateOfBirth(18, 92), f.familyName()), 'adult');
  else if (kind === 'house-share') {
    const count = rng.int(3, 5);
    for (let i = 0; i < count; i += 1) add(f.person(sex(), f.dateOfBirth(19, 40), f.familyName()), 'sharer');
  } else if (kind === 'single-parent') {
    const parent = f.person(rng.chance(0.85) ? 'F' : 'M', f.dateOfBirth(19, 50), f.familyName());
    add(parent, 'adult');
    addChildren(rng, f, household, [parent.familyName], rng.int(1, 3), parent);
  } else {
    const older = kind === 'older-couple';
    const [first, second] = couple(rng, f, older ? [64, 92] : [22, 60]);
    add(first, 'adult');
    add(second, 'partner');
    if (older && rng.chance(0.15)) {
      // A recent death: the sources may not have caught up with it.
      const died = rng.chance(0.5) ? first : second;
      died.dateOfDeath = f.daysAgo(rng.int(20, 700));
      household.members.find((m) => m.personId === died.id)!.to = died.dateOfDeath;
    }
    if (kind === 'family' || kind === 'family-with-lodger') {
      const names = first.familyName === second.familyName ? [first.familyName] : [first.familyName, second.familyName];
      addChildren(rng, f, household, names, rng.int(1, 4), first.sex === 'F' ? first : second);
    }
    if (kind === 'family-with-lodger') add(f.person(sex(), f.dateOfBirth(20, 55), f.familyName()), 'lodger');
    if (kind === 'multi-generation') {
      // Senior and junior: father and son with the same name at one address.
      const father = first.sex === 'M' ? first : second;
      father.suffix = 'Sr';
      const son = f.person(
        'M',
        f.dateOfBirth(18, Math.max(18, Math.min(40, f.ageOf(father) - 20))),
        father.familyName,
        {
          givenName: father.givenName,
          suffix: 'Jr',
        },
      );
      add(son, 'child');
      if (rng.chance(0.4)) add(f.person('F', f.dateOfBirth(78, 95), f.familyName()), 'parent');
    }
  }
  return household;
}

function couple(
  rng: SeededRandom,
  f: PeopleFactory,
  [minAge, maxAge]: [number, number],
): [BoroughPerson, BoroughPerson] {
  const sameSex = rng.chance(0.08);
  const firstSex: Sex = rng.chance(0.5) ? 'F' : 'M';
  const secondSex: Sex = sameSex ? firstSex : firstSex === 'F' ? 'M' : 'F';
  const firstName = f.familyName();
  const first = f.person(firstSex, f.dateOfBirth(minAge, maxAge), firstName);
  const birthName = f.familyName();
  const naming = rng.weighted({ took: sameSex ? 15 : 60, own: 30, hyphenated: 10 });
  const familyName = naming === 'took' ? firstName : naming === 'hyphenated' ? `${firstName}-${birthName}` : birthName;
  const age = f.ageOf(first);
  const second = f.person(
    secondSex,
    f.dateOfBirth(Math.max(18, age - 6), Math.min(maxAge + 4, age + 6)),
    familyName,
    familyName !== birthName ? { birthFamilyName: birthName } : {},
  );
  return [first, second];
}

function addChildren(
  rng: SeededRandom,
  f: PeopleFactory,
  household: BoroughHousehold,
  parentNames: string[],
  count: number,
  mother: BoroughPerson,
): void {
  const motherAge = f.ageOf(mother);
  const hyphenated = parentNames.length === 2 && rng.chance(0.4);
  let previous: BoroughPerson | undefined;
  for (let i = 0; i < count; i += 1) {
    const familyName = hyphenated ? parentNames.join('-') : parentNames[0];
    const sex: Sex = rng.chance(0.5) ? 'F' : 'M';
    const twin = previous !== undefined && rng.chance(0.07);
    // A birth in the last year is one of the life events the sources learn of at different times.
    const newborn = !twin && i === count - 1 && rng.chance(0.12) && motherAge < 44;
    const dateOfBirth = twin
      ? previous!.dateOfBirth
      : newborn
        ? f.daysAgo(rng.int(5, 330))
        : f.dateOfBirth(0, Math.max(0, Math.min(17, motherAge - 18)));
    let child = f.person(sex, dateOfBirth, familyName);
    if (twin && child.givenName === previous!.givenName) child.givenName = f.givenName(sex === 'F' ? 'M' : 'F');
    household.members.push({ personId: child.id, role: 'child', ...(newborn ? { from: dateOfBirth } : {}) });
    previous = child;
  }
}

/**
 * Which source records are one person, and who lives together. `sandboxes`: those that make their records
 * themselves add theirs (`SandboxDefinition.truth`).
 */
export function groundTruth(
  borough: Borough,
  sandboxes: readonly Pick<SandboxDefinition, 'id' | 'truth'>[] = [],
): GroundTruth {
  const householdOf = new Map<string, string>();
  for (const household of borough.households)
    for (const member of household.members) householdOf.set(member.personId, household.id);
  const uprnOf = new Map(borough.addresses.map((a) => [a.id, a.uprn]));
  const views = [
    ...borough.housing.map((v) => ({ source: 'housing', sourceKey: v.tenantRef, personId: v.personId })),
    ...borough.benefits.map((v) => ({ source: 'benefits', sourceKey: v.partyId, personId: v.personId })),
    ...borough.socialCare.map((v) => ({ source: 'social-care', sourceKey: v.carePersonId, personId: v.personId })),
    ...sandboxes.flatMap((s) => (s.truth?.(borough) ?? []).map((v) => ({ source: s.id, ...v }))),
  ];
  return {
    seed: borough.seed,
    householdCount: borough.householdCount,
    referenceDate: borough.referenceDate,
    records: views.map((v) => ({ ...v, householdId: householdOf.get(v.personId) })),
    households: borough.households.map((h) => ({
      householdId: h.id,
      kind: h.kind,
      uprn: uprnOf.get(h.addressId)!,
      members: h.members.filter((m) => m.to === undefined).map((m) => m.personId),
    })),
  };
}
