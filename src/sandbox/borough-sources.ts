import { BenefitsView, BoroughHousehold, BoroughPerson, CareView, HousingView } from './borough-model';
import { benefitsHabits, careHabits, housingHabits, recordIdentity } from './borough-mess';
import { PeopleFactory } from './borough-people';
import { careTeams } from './name-data';
import { SeededRandom } from './seeded-random';

/**
 * Decides which sources know each household, and how each recorded its people: a council tenancy (and
 * perhaps an old one at the previous address), a homelessness application, a benefit claim (and perhaps an
 * ended one), children's or adults' social care.
 */
export class SourceRecorder {
  readonly housing: HousingView[] = [];
  readonly benefits: BenefitsView[] = [];
  readonly socialCare: CareView[] = [];
  private readonly people: Map<string, BoroughPerson>;
  private next = { tenant: 0, tenancy: 0, application: 0, claim: 0, care: 0, caseId: 0, family: 0 };

  constructor(
    private readonly rng: SeededRandom,
    private readonly f: PeopleFactory,
  ) {
    this.people = new Map(f.people.map((p) => [p.id, p]));
  }

  record(household: BoroughHousehold): void {
    const rng = this.rng;
    const tenant = rng.chance(household.kind === 'house-share' ? 0.05 : 0.32);
    if (tenant) {
      this.tenancy(household, household.addressId, household.movedIn);
      if (household.previousAddressId && rng.chance(0.4))
        this.tenancy(
          household,
          household.previousAddressId,
          this.f.daysAgo(rng.int(4 * 365, 12 * 365)),
          household.movedIn,
        );
    } else if (rng.chance(0.05)) this.application(household);
    if (household.kind === 'house-share') {
      for (const member of household.members)
        if (rng.chance(0.15)) this.claim(household, [member.personId], household.addressId);
    } else if (rng.chance(tenant ? 0.55 : household.kind === 'older-couple' ? 0.3 : 0.15)) {
      const ids = household.members.map((m) => m.personId);
      this.claim(household, ids, household.addressId, tenant);
      if (household.previousAddressId && rng.chance(0.3))
        this.claim(household, ids, household.previousAddressId, tenant, household.movedIn);
    }
    this.care(household);
  }

  private living(household: BoroughHousehold, staleDeaths: number): BoroughPerson[] {
    return household.members
      .filter((m) => m.to === undefined || this.rng.chance(staleDeaths))
      .map((m) => this.people.get(m.personId)!);
  }

  private tenancy(household: BoroughHousehold, addressId: string, start: string, end?: string): void {
    const rng = this.rng;
    const groupRef = `TEN${String(++this.next.tenancy + 10_000).padStart(6, '0')}`;
    const members = this.living(household, 0.5).filter((p) => p.dateOfBirth <= start || end === undefined);
    const roles = new Map(household.members.map((m) => [m.personId, m.role]));
    members.forEach((person, index) => {
      const role = roles.get(person.id);
      const adult = this.f.ageOf(person) >= 18;
      // Housing often has not yet heard of a recent birth.
      if (household.members.find((m) => m.personId === person.id)?.from && rng.chance(0.6)) return;
      this.housing.push({
        ...recordIdentity(rng, person, housingHabits, addressId, adult),
        title: title(person, adult),
        tenantRef: `T${String(++this.next.tenant + 200_000).padStart(7, '0')}`,
        kind: 'tenancy',
        groupRef,
        role:
          index === 0
            ? 'lead-tenant'
            : role === 'lodger'
              ? 'lodger'
              : role === 'partner' && rng.chance(0.7)
                ? 'joint-tenant'
                : 'household-member',
        tenure: end ? 'secure' : rng.chance(0.85) ? 'secure' : 'introductory',
        start,
        ...(end
          ? { end, rentAccountStatus: 'closed' as const }
          : { rentAccountStatus: rng.weighted({ clear: 60, 'in-credit': 15, arrears: 25 }) }),
        updatedAt: this.f.timestampWithin(end ? 1500 : 700),
      });
    });
  }

  private application(household: BoroughHousehold): void {
    const rng = this.rng;
    const groupRef = `HA${String(++this.next.application + 30_000).padStart(6, '0')}`;
    const start = this.f.daysAgo(rng.int(10, 500));
    const status = rng.weighted({ open: 20, prevention: 25, relief: 25, 'main-duty': 15, closed: 15 });
    this.living(household, 0).forEach((person, index) => {
      this.housing.push({
        ...recordIdentity(rng, person, housingHabits, household.addressId, this.f.ageOf(person) >= 18),
        title: title(person, this.f.ageOf(person) >= 18),
        tenantRef: `T${String(++this.next.tenant + 200_000).padStart(7, '0')}`,
        kind: 'application',
        groupRef,
        role: index === 0 ? 'applicant' : 'applicant-member',
        start,
        applicationStatus: status,
        updatedAt: this.f.timestampWithin(500),
      });
    });
  }

  private claim(
    household: BoroughHousehold,
    personIds: string[],
    addressId: string,
    tenant = false,
    ended?: string,
  ): void {
    const rng = this.rng;
    const claimRef = String(40_000_000 + ++this.next.claim * 7 + rng.int(0, 6));
    const schemes: ('HB' | 'CTR')[] = tenant || rng.chance(0.5) ? ['HB', 'CTR'] : ['CTR'];
    const status = ended ? 'ended' : rng.weighted({ live: 85, suspended: 5, ended: 10 });
    const awardStart = ended ? this.f.daysAgo(rng.int(4 * 365, 8 * 365)) : this.f.daysAgo(rng.int(20, 6 * 365));
    const roles = new Map(household.members.map((m) => [m.personId, m]));
    let party = 0;
    for (const id of personIds) {
      const person = this.people.get(id)!;
      const member = roles.get(id)!;
      // A claim stops listing the dead most of the time; sometimes the change is late.
      if (member.to !== undefined && !rng.chance(0.4)) continue;
      if (member.role === 'lodger') continue;
      const adult = this.f.ageOf(person) >= 18;
      const role =
        party === 0 ? 'claimant' : member.role === 'partner' ? 'partner' : adult ? 'non-dependant' : 'dependant';
      this.benefits.push({
        ...recordIdentity(rng, person, benefitsHabits, addressId, adult),
        claimRef,
        partyId: `${claimRef}-${String(++party).padStart(2, '0')}`,
        role,
        schemes,
        status,
        awardStart,
        ...(status === 'ended' ? { awardEnd: ended ?? this.f.daysAgo(rng.int(1, 300)) } : {}),
        ...(schemes.includes('HB') ? { weeklyHousingBenefit: rng.int(4000, 30000) / 100 } : {}),
        weeklyCouncilTaxReduction: rng.int(500, 3500) / 100,
        updatedAt: this.f.timestampWithin(ended ? 1500 : 400),
      });
    }
  }

  private care(household: BoroughHousehold): void {
    const rng = this.rng;
    const people = this.living(household, 0.3);
    const children = people.filter((p) => this.f.ageOf(p) < 18);
    if (children.length && rng.chance(0.05)) {
      const familyId = `F${String(++this.next.family + 5000).padStart(6, '0')}`;
      for (const child of children)
        this.carePerson(child, household, familyId, 'child', [this.involvement('children')]);
      for (const parent of people.filter((p) => this.f.ageOf(p) >= 18).slice(0, 2)) {
        this.carePerson(parent, household, familyId, parent.sex === 'F' ? 'mother' : 'father', []);
      }
    }
    for (const person of people) {
      const age = this.f.ageOf(person);
      if (age < 18 || !rng.chance(age >= 75 ? 0.18 : 0.012)) continue;
      const partner = people.find((p) => p !== person && this.f.ageOf(p) >= 18);
      const familyId =
        partner && rng.chance(0.5) ? `F${String(++this.next.family + 5000).padStart(6, '0')}` : undefined;
      this.carePerson(person, household, familyId, 'subject', [this.involvement('adults')]);
      if (familyId && partner) this.carePerson(partner, household, familyId, 'carer', []);
    }
  }

  private carePerson(
    person: BoroughPerson,
    household: BoroughHousehold,
    familyId: string | undefined,
    relationship: CareView['relationship'],
    involvements: CareView['involvements'],
  ): void {
    const rng = this.rng;
    const stale = household.previousAddressId && rng.chance(0.3);
    this.socialCare.push({
      ...recordIdentity(
        rng,
        person,
        careHabits,
        stale ? household.previousAddressId! : household.addressId,
        this.f.ageOf(person) >= 18,
      ),
      carePersonId: String(1_000_000 + ++this.next.care * 3 + rng.int(0, 2)),
      ...(familyId ? { familyId } : {}),
      relationship,
      involvements,
      updatedAt: this.f.timestampWithin(900),
    });
  }

  private involvement(caseType: 'adults' | 'children'): CareView['involvements'][number] {
    const rng = this.rng;
    const openedDaysAgo = rng.int(10, 5 * 365);
    const opened = this.f.daysAgo(openedDaysAgo);
    const closed = rng.chance(0.4) ? this.f.daysAgo(rng.int(1, openedDaysAgo - 1)) : undefined;
    return {
      caseId: `C${String(++this.next.caseId + 700_000)}`,
      caseType,
      team: rng.pick(careTeams[caseType]),
      opened,
      ...(closed && closed > opened ? { closed } : {}),
    };
  }
}

function title(person: BoroughPerson, adult: boolean): string {
  if (!adult) return person.sex === 'M' ? 'Master' : 'Miss';
  if (person.sex === 'M') return 'Mr';
  return person.birthFamilyName ? 'Mrs' : 'Ms';
}
