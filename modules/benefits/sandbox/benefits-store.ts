import { BenefitsView, Borough } from '../../../src/sandbox/borough-model';
import { AppliedLifeEvent, JournalledStore } from '../../../src/sandbox/sandbox-kit';
import { readJsonFile, writeJsonFile, WriteQueue } from '../../../src/sandbox/sandbox-storage';
import { BenefitsClaim, BenefitsParty } from '../benefits-api.types';

export interface BenefitsData {
  format: 'benefits-sandbox/1';
  seq: number;
  parties: BenefitsParty[];
  claims: BenefitsClaim[];
  /** The life events told to the sandbox (LifeEventDesk), saved with the records they changed. */
  lifeEvents?: AppliedLifeEvent[];
  /** The last line of the life event desk's log these records include. */
  lifeEventSeq?: number;
}

const partyRoles: Record<BenefitsView['role'], BenefitsParty['partyRole']> = {
  claimant: 'CLMT',
  partner: 'PTNR',
  dependant: 'DEP',
  'non-dependant': 'NDEP',
};

/** The benefits sandbox's records from the borough: parties in change order, and their claims. */
export function benefitsDataFromBorough(borough: Borough): BenefitsData {
  const addresses = new Map(borough.addresses.map((a) => [a.id, a]));
  const views = [...borough.benefits].sort(
    (a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.partyId.localeCompare(b.partyId),
  );
  const parties = views.map((v, index): BenefitsParty => {
    const address = addresses.get(v.addressId)!;
    return {
      partyId: v.partyId,
      claimReference: v.claimRef,
      partyRole: partyRoles[v.role],
      person: {
        forename: v.givenName,
        otherForenames: v.middleNames ?? null,
        surname: v.familyName,
        formerSurnames: v.previousFamilyNames ?? [],
        dateOfBirth: v.dateOfBirth ?? null,
        sex: v.sex ?? 'U',
        nino: v.nino ?? null,
        contact: { phone: v.phone ?? null, email: v.email ?? null },
      },
      claimAddress: { uprn: address.uprn, lines: address.lines, town: address.locality, postcode: address.postcode },
      awardStartDate: v.awardStart,
      awardEndDate: v.awardEnd ?? null,
      changeSeq: index + 1,
      lastChanged: v.updatedAt,
    };
  });
  const claims = new Map<string, BenefitsClaim>();
  for (const v of borough.benefits) {
    if (claims.has(v.claimRef)) continue;
    claims.set(v.claimRef, {
      claimReference: v.claimRef,
      schemes: v.schemes,
      status: v.status === 'live' ? 'LIVE' : v.status === 'suspended' ? 'SUSPENDED' : 'ENDED',
      awardStartDate: v.awardStart,
      awardEndDate: v.awardEnd ?? null,
      weeklyHousingBenefit: v.weeklyHousingBenefit ?? null,
      weeklyCouncilTaxReduction: v.weeklyCouncilTaxReduction ?? null,
    });
  }
  return { format: 'benefits-sandbox/1', seq: parties.length, parties, claims: [...claims.values()] };
}

/** In-memory parties in change-sequence order, written back to the sandbox's own JSON file. */
export class BenefitsStore implements JournalledStore {
  private readonly writes = new WriteQueue();

  private constructor(
    private readonly file: string,
    private readonly data: BenefitsData,
  ) {}

  static async load(file: string): Promise<BenefitsStore> {
    const data = await readJsonFile<BenefitsData>(file);
    if (data.format !== 'benefits-sandbox/1') throw new Error(`${file} is not benefits sandbox data`);
    data.parties.sort((a, b) => a.changeSeq - b.changeSeq);
    data.lifeEvents ??= [];
    return new BenefitsStore(file, data);
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

  raw(key: string): BenefitsParty | BenefitsClaim | undefined {
    if (key.startsWith('claim:')) return this.claim(key.slice('claim:'.length));
    return this.data.parties.find((p) => p.partyId === key);
  }

  restore(key: string, raw: unknown): void {
    if (key.startsWith('claim:')) {
      const at = this.data.claims.findIndex((c) => c.claimReference === key.slice('claim:'.length));
      if (raw && at >= 0) this.data.claims[at] = raw as BenefitsClaim;
      else if (raw) this.data.claims.push(raw as BenefitsClaim);
      return;
    }
    const at = this.data.parties.findIndex((p) => p.partyId === key);
    if (at >= 0) this.data.parties.splice(at, 1);
    if (!raw) return;
    const party = raw as BenefitsParty;
    this.data.parties.splice(this.firstAfter(party.changeSeq), 0, party);
    this.data.seq = Math.max(this.data.seq, party.changeSeq);
  }

  /** A current party by id, or a claim by `claim:<reference>`. */
  get(key: string): BenefitsParty | BenefitsClaim | undefined {
    if (key.startsWith('claim:')) return this.claim(key.slice('claim:'.length));
    return this.data.parties.find((p) => p.partyId === key && !p.deleted);
  }

  claim(reference: string): BenefitsClaim | undefined {
    return this.data.claims.find((c) => c.claimReference === reference);
  }

  /** A party's change moves it to the end of the feed; a claim is not in the feed (its parties are). */
  set(key: string, fields: Record<string, unknown>): void {
    if (key.startsWith('claim:')) {
      const claim = this.claim(key.slice('claim:'.length));
      if (claim) Object.assign(claim, fields);
      return;
    }
    this.patch(key, fields);
  }

  add(_key: string, record: Record<string, unknown>): void {
    this.upsert(record);
  }

  /** The current parties on a claim. */
  partiesOf(reference: string): BenefitsParty[] {
    return this.data.parties.filter((p) => p.claimReference === reference && !p.deleted);
  }

  /** Parties (tombstones included) changed after `seq`, in change order. */
  after(seq: number, limit: number): { parties: BenefitsParty[]; more: boolean } {
    const start = this.firstAfter(seq);
    return { parties: this.data.parties.slice(start, start + limit), more: start + limit < this.data.parties.length };
  }

  claimsFor(partyIds: readonly string[]): { claim: BenefitsClaim; parties: BenefitsParty[] }[] {
    const wanted = new Set(partyIds);
    const refs = new Set(
      this.data.parties.filter((p) => wanted.has(p.partyId) && !p.deleted).map((p) => p.claimReference),
    );
    return this.data.claims
      .filter((c) => refs.has(c.claimReference))
      .map((claim) => ({
        claim,
        parties: this.data.parties.filter((p) => p.claimReference === claim.claimReference && !p.deleted),
      }));
  }

  /** Adds or replaces a party; every change moves it to the end of the feed. */
  upsert(record: Record<string, unknown>): BenefitsParty {
    const existing =
      typeof record.partyId === 'string' ? this.data.parties.findIndex((p) => p.partyId === record.partyId) : -1;
    if (existing >= 0) this.data.parties.splice(existing, 1);
    const party = {
      ...record,
      deleted: false,
      changeSeq: ++this.data.seq,
      lastChanged: new Date().toISOString(),
    } as unknown as BenefitsParty;
    this.data.parties.push(party);
    return party;
  }

  patch(partyId: string, changes: Record<string, unknown>): BenefitsParty | undefined {
    const party = this.data.parties.find((p) => p.partyId === partyId && !p.deleted);
    return party ? this.upsert({ ...party, ...changes }) : undefined;
  }

  /** A tombstone keeps the keys only: the person's details are erased with the record. */
  remove(partyId: string): boolean {
    const party = this.data.parties.find((p) => p.partyId === partyId && !p.deleted);
    if (!party) return false;
    const at = this.data.parties.indexOf(party);
    this.data.parties.splice(at, 1);
    this.data.parties.push({
      partyId,
      claimReference: party.claimReference,
      deleted: true,
      changeSeq: ++this.data.seq,
      lastChanged: new Date().toISOString(),
    });
    return true;
  }

  save(): Promise<void> {
    return this.writes.run(() => writeJsonFile(this.file, this.data));
  }

  private firstAfter(seq: number): number {
    let low = 0;
    let high = this.data.parties.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.data.parties[mid].changeSeq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
