import { Borough, CareView } from '../../../src/sandbox/borough-model';
import { AppliedLifeEvent, JournalledStore } from '../../../src/sandbox/sandbox-kit';
import { readJsonFile, writeJsonFile, WriteQueue } from '../../../src/sandbox/sandbox-storage';
import {
  CareInvolvementRow,
  CarePerson,
  formatCareTimestamp,
  months,
  parseCareTimestamp,
} from '../social-care-api.types';

export interface CareData {
  format: 'social-care-sandbox/1';
  people: CarePerson[];
  involvements: CareInvolvementRow[];
  /** The life events told to the sandbox (LifeEventDesk), saved with the records they changed. */
  lifeEvents?: AppliedLifeEvent[];
  /** The last line of the life event desk's log these records include. */
  lifeEventSeq?: number;
}

const relationships: Record<
  NonNullable<CareView['relationship']>,
  NonNullable<CarePerson['family']>['relationship']
> = {
  child: 'Child',
  mother: 'Mother',
  father: 'Father',
  carer: 'Carer',
  subject: 'Subject',
};

/** The social care sandbox's records from the borough, in the case management product's own shape. */
export function careDataFromBorough(borough: Borough): CareData {
  const addresses = new Map(borough.addresses.map((a) => [a.id, a]));
  const people: CarePerson[] = [];
  const involvements: CareInvolvementRow[] = [];
  for (const v of borough.socialCare) {
    const address = addresses.get(v.addressId)!;
    people.push({
      personId: v.carePersonId,
      name: `${v.familyName.toUpperCase()}, ${[v.givenName, v.middleNames].filter(Boolean).join(' ')}`,
      formerNames: (v.previousFamilyNames ?? []).map((n) => n.toUpperCase()),
      birthDate: v.dateOfBirth ? careDate(v.dateOfBirth) : null,
      gender: v.sex === 'F' ? 'Female' : v.sex === 'M' ? 'Male' : 'Unknown',
      nhsNo: v.nhsNumber ?? null,
      niNo: v.nino ?? null,
      address: {
        uprn: address.uprn,
        addressText: [...address.lines, address.locality].join(', '),
        postcode: address.postcode,
      },
      phone: v.phone ?? null,
      email: v.email ?? null,
      family:
        v.familyId && v.relationship ? { familyId: v.familyId, relationship: relationships[v.relationship] } : null,
      lastUpdated: formatCareTimestamp(Date.parse(v.updatedAt)),
      recordState: 'ACTIVE',
    });
    for (const i of v.involvements) {
      involvements.push({
        personId: v.carePersonId,
        caseId: i.caseId,
        caseType: i.caseType === 'adults' ? 'ADULTS' : 'CHILDREN',
        allocatedTeam: i.team,
        openDate: i.opened.replaceAll('-', ''),
        closeDate: i.closed ? i.closed.replaceAll('-', '') : null,
      });
    }
  }
  return { format: 'social-care-sandbox/1', people, involvements };
}

function careDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}-${months[Number(m) - 1]}-${y}`;
}

/** In-memory people ordered by (lastUpdated, personId), written back to the sandbox's own JSON file. */
export class CareStore implements JournalledStore {
  private readonly writes = new WriteQueue();
  private lastStamp = 0;

  private constructor(
    private readonly file: string,
    private readonly data: CareData,
  ) {
    this.sort();
  }

  static async load(file: string): Promise<CareStore> {
    const data = await readJsonFile<CareData>(file);
    if (data.format !== 'social-care-sandbox/1') throw new Error(`${file} is not social care sandbox data`);
    data.lifeEvents ??= [];
    return new CareStore(file, data);
  }

  get lifeEvents(): AppliedLifeEvent[] {
    return this.data.lifeEvents!;
  }

  get lifeEventSeq(): number {
    return this.data.lifeEventSeq ?? 0;
  }

  set lifeEventSeq(seq: number) {
    this.data.lifeEventSeq = seq;
  }

  raw(key: string): CarePerson | CareInvolvementRow | undefined {
    if (key.startsWith('involvement:')) return this.involvement(key);
    return this.data.people.find((p) => p.personId === key);
  }

  restore(key: string, raw: unknown): void {
    if (key.startsWith('involvement:')) {
      const row = this.involvement(key);
      if (row && raw) Object.assign(row, raw);
      else if (raw) this.data.involvements.push(raw as CareInvolvementRow);
      return;
    }
    const at = this.data.people.findIndex((p) => p.personId === key);
    if (at >= 0) this.data.people.splice(at, 1);
    if (!raw) return;
    const person = raw as CarePerson;
    this.data.people.push(person);
    this.sort();
    const stamped = parseCareTimestamp(person.lastUpdated);
    if (!Number.isNaN(stamped)) this.lastStamp = Math.max(this.lastStamp, stamped);
  }

  /** An active person by id, or an involvement by `involvement:<personId>:<caseId>`. */
  get(key: string): CarePerson | CareInvolvementRow | undefined {
    if (key.startsWith('involvement:')) return this.involvement(key);
    return this.data.people.find((p) => p.personId === key && p.recordState === 'ACTIVE');
  }

  /** A person's change moves them to the end of the walk; an involvement is not in the walk (its person is). */
  set(key: string, fields: Record<string, unknown>): void {
    if (key.startsWith('involvement:')) {
      const row = this.involvement(key);
      if (row) Object.assign(row, fields);
      return;
    }
    this.patch(key, fields);
  }

  add(_key: string, record: Record<string, unknown>): void {
    this.upsert(record);
  }

  /** A person's involvements (open and closed). */
  involvementsFor(personId: string): CareInvolvementRow[] {
    return this.data.involvements.filter((i) => i.personId === personId);
  }

  private involvement(key: string): CareInvolvementRow | undefined {
    const [, personId, caseId] = key.split(':');
    return this.data.involvements.find((i) => i.personId === personId && i.caseId === caseId);
  }

  /** People (removed ones too) after the keyset position (updated, id). */
  after(
    updatedSince: string | undefined,
    afterId: string | undefined,
    limit: number,
  ): { people: CarePerson[]; more: boolean } {
    const rows = this.data.people;
    let start = 0;
    if (updatedSince !== undefined) {
      start = rows.findIndex(
        (p) =>
          p.lastUpdated > updatedSince ||
          (p.lastUpdated === updatedSince && afterId !== undefined && String(p.personId) > afterId),
      );
      if (start < 0) start = rows.length;
    }
    return { people: rows.slice(start, start + limit), more: start + limit < rows.length };
  }

  involvementsOf(personIds: readonly string[]): CareInvolvementRow[] {
    const wanted = new Set(personIds);
    const live = new Set(
      this.data.people.filter((p) => wanted.has(p.personId) && p.recordState === 'ACTIVE').map((p) => p.personId),
    );
    return this.data.involvements.filter((i) => live.has(i.personId));
  }

  upsert(record: Record<string, unknown>): CarePerson {
    const existing =
      typeof record.personId === 'string' ? this.data.people.findIndex((p) => p.personId === record.personId) : -1;
    if (existing >= 0) this.data.people.splice(existing, 1);
    const person = { ...record, recordState: 'ACTIVE', lastUpdated: this.stamp() } as unknown as CarePerson;
    this.data.people.push(person);
    this.sort();
    return person;
  }

  patch(personId: string, changes: Record<string, unknown>): CarePerson | undefined {
    const person = this.data.people.find((p) => p.personId === personId && p.recordState === 'ACTIVE');
    return person ? this.upsert({ ...person, ...changes }) : undefined;
  }

  remove(personId: string): boolean {
    const person = this.data.people.find((p) => p.personId === personId && p.recordState === 'ACTIVE');
    if (!person) return false;
    person.recordState = 'REMOVED';
    person.lastUpdated = this.stamp();
    this.sort();
    return true;
  }

  save(): Promise<void> {
    return this.writes.run(() => writeJsonFile(this.file, this.data));
  }

  private sort(): void {
    this.data.people.sort((a, b) =>
      a.lastUpdated < b.lastUpdated
        ? -1
        : a.lastUpdated > b.lastUpdated
          ? 1
          : String(a.personId) < String(b.personId)
            ? -1
            : 1,
    );
  }

  /** Millisecond timestamps, strictly increasing so that keyset pages never skip a change. */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return formatCareTimestamp(this.lastStamp);
  }
}
