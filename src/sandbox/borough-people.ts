import { isValidNinoPrefix, nhsCheckDigit } from '../sources/identifiers';
import { BoroughAddress, BoroughPerson, Sex } from './borough-model';
import { blockNames, districts, familyNames, femaleNames, maleNames, streetNames } from './name-data';
import { SeededRandom } from './seeded-random';

const dayMs = 86_400_000;
const postcodeUnitLetters = 'ABDEFGHJLNPQRSTUWXYZ';
const ninoLetters = 'ABCEGHJKLMNPRSTWXYZ';

/** Makes people and addresses for the borough generator, drawing every choice from one seeded stream. */
export class PeopleFactory {
  readonly people: BoroughPerson[] = [];
  readonly addresses: BoroughAddress[] = [];
  private readonly usedNinos = new Set<string>();
  private readonly usedNhs = new Set<string>();
  private readonly reference: number;
  private readonly streetSectors: { outward: string; locality: string; sector: number }[];

  constructor(
    private readonly rng: SeededRandom,
    referenceDate: string,
  ) {
    this.reference = Date.parse(`${referenceDate}T00:00:00Z`);
    this.streetSectors = streetNames.map(() => ({ ...rng.pick(districts), sector: rng.int(1, 9) }));
  }

  /** An ISO date `days` before the reference date. */
  daysAgo(days: number): string {
    return new Date(this.reference - days * dayMs).toISOString().slice(0, 10);
  }

  /** An ISO timestamp within the `days` before the reference date. */
  timestampWithin(days: number): string {
    return new Date(this.reference - this.rng.int(60, days * 86_400) * 1000).toISOString();
  }

  dateOfBirth(minAge: number, maxAge: number): string {
    return this.daysAgo(this.rng.int(Math.round(minAge * 365.25), Math.round(maxAge * 365.25 + 364)));
  }

  ageOf(person: BoroughPerson): number {
    return (this.reference - Date.parse(`${person.dateOfBirth}T00:00:00Z`)) / (365.25 * dayMs);
  }

  address(): BoroughAddress {
    const index = this.addresses.length;
    const streetIndex = this.rng.int(0, streetNames.length - 1);
    const street = streetNames[streetIndex];
    const { outward, locality, sector } = this.streetSectors[streetIndex];
    const number = this.rng.int(1, 240);
    const lines = this.rng.chance(0.35)
      ? [`Flat ${this.rng.int(1, 48)}`, this.rng.pick(blockNames), `${number} ${street}`]
      : [`${number} ${street}`];
    const unit = `${this.rng.pick([...postcodeUnitLetters])}${this.rng.pick([...postcodeUnitLetters])}`;
    const address: BoroughAddress = {
      id: `A${String(index + 1).padStart(6, '0')}`,
      // Real UPRNs are up to 12 digits; council ranges are contiguous blocks, here 2000xxxxxxxx.
      uprn: String(200_003_000_000 + index * 17 + this.rng.int(0, 16)),
      lines,
      locality,
      postcode: `${outward} ${sector}${unit}`,
    };
    this.addresses.push(address);
    return address;
  }

  person(sex: Sex, dateOfBirth: string, familyName: string, extra: Partial<BoroughPerson> = {}): BoroughPerson {
    const givenName = extra.givenName ?? this.givenName(sex);
    const person: BoroughPerson = {
      id: `P${String(this.people.length + 1).padStart(6, '0')}`,
      givenName,
      familyName,
      sex,
      dateOfBirth,
      nhsNumber: this.nhsNumber(),
      ...extra,
    };
    if (this.rng.chance(0.45)) person.middleNames = this.givenName(sex);
    const age = this.ageOf(person);
    // NINOs are issued around the 16th birthday.
    if (age >= 16) person.nino = this.nino();
    if (age >= 16 && this.rng.chance(0.75)) person.phone = `07${this.rng.int(100, 999)} ${this.rng.digits(6)}`;
    if (age >= 18 && this.rng.chance(0.45)) {
      const domain = this.rng.pick(['example.com', 'example.org', 'example.net']);
      person.email = `${givenName}.${familyName}${this.rng.int(1, 99)}@${domain}`
        .toLowerCase()
        .replace(/[^a-z0-9.@-]/g, '');
    }
    this.people.push(person);
    return person;
  }

  givenName(sex: Sex): string {
    return this.rng.pick(sex === 'F' ? femaleNames : maleNames);
  }

  familyName(): string {
    return this.rng.pick(familyNames);
  }

  private nino(): string {
    for (;;) {
      const prefix = `${this.rng.pick([...ninoLetters])}${this.rng.pick([...ninoLetters])}`;
      if (!isValidNinoPrefix(prefix)) continue;
      const nino = `${prefix}${this.rng.digits(6)}${this.rng.pick(['A', 'B', 'C', 'D'])}`;
      if (this.usedNinos.has(nino)) continue;
      this.usedNinos.add(nino);
      return nino;
    }
  }

  private nhsNumber(): string {
    for (;;) {
      // England issues 400 000 000–499 999 999 and 600 000 000–799 999 999.
      const firstNine = `${this.rng.pick(['4', '6', '7'])}${this.rng.digits(8)}`;
      const check = nhsCheckDigit(firstNine);
      if (check === undefined) continue;
      const nhs = `${firstNine}${check}`;
      if (this.usedNhs.has(nhs)) continue;
      this.usedNhs.add(nhs);
      return nhs;
    }
  }
}
