import { toNormalised } from 'postcode';
import { HouseholdHint } from '../sources/source-adapter';

/** What the sources say about one person's home and the groups they belong to. */
export interface PersonHomeEvidence {
  personId: string;
  records: {
    source: string;
    uprn?: string;
    postcode?: string;
    addressLines?: string[];
    hints: HouseholdHint[];
    /** When the source last confirmed the record (ISO); the newest record's address wins. */
    lastSeen: string;
  }[];
  /** A person known to have died is no one's household member. */
  deceased?: boolean;
}

export interface ExistingHousehold {
  id: string;
  addressKey: string;
  members: string[];
}

export interface MemberEvidence {
  source: string;
  kind: HouseholdHint['kind'];
  groupKey: string;
  role?: string;
}

export interface ResolvedHousehold {
  /** An existing household's id when this group continues it, else undefined (a new household). */
  existingId?: string;
  addressKey: string;
  uprn?: string;
  postcode?: string;
  addressLines?: string[];
  members: { personId: string; role?: string; evidence: MemberEvidence[] }[];
}

/**
 * Groups people into households: the people living at one address (UPRN, or normalised postcode and first
 * address line), split by the sources' own groupings there (a tenancy, a benefit claim, a care family), so
 * two tenancies in one house share are two households. Relationships across addresses never merge homes:
 * a partner the benefits system still lists at an old address does not pull a household across town.
 * Pure: the households service loads the evidence and writes the result.
 */
export function resolveHouseholds(
  people: PersonHomeEvidence[],
  existing: ExistingHousehold[],
  now: Date,
): ResolvedHousehold[] {
  const byAddress = new Map<string, { home: Home; person: PersonHomeEvidence }[]>();
  for (const person of people) {
    if (person.deceased) continue;
    const home = currentHome(person);
    if (!home) continue;
    const list = byAddress.get(home.addressKey) ?? [];
    list.push({ home, person });
    byAddress.set(home.addressKey, list);
  }
  const resolved: ResolvedHousehold[] = [];
  for (const [key, residents] of [...byAddress].sort(([a], [b]) => a.localeCompare(b))) {
    for (const group of groupResidents(residents, now)) {
      const home = group[0].home;
      resolved.push({
        addressKey: key,
        uprn: home.uprn,
        postcode: home.postcode,
        addressLines: home.addressLines,
        members: group.map(({ person }) => memberOf(person, now)).sort((a, b) => a.personId.localeCompare(b.personId)),
      });
    }
  }
  assignExistingIds(resolved, existing);
  return resolved;
}

interface Home {
  addressKey: string;
  uprn?: string;
  postcode?: string;
  addressLines?: string[];
}

/** The address of the person's most recently confirmed record that has one. */
function currentHome(person: PersonHomeEvidence): Home | undefined {
  const records = [...person.records].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  for (const record of records) {
    const key = addressKey(record);
    if (key)
      return { addressKey: key, uprn: record.uprn, postcode: record.postcode, addressLines: record.addressLines };
  }
  return undefined;
}

/** `uprn:<n>`, else `addr:<POSTCODE>|<first line>`, else undefined when too little is known to place someone. */
export function addressKey(address: { uprn?: string; postcode?: string; addressLines?: string[] }): string | undefined {
  const uprn = address.uprn?.replace(/\D/g, '').replace(/^0+/, '');
  if (uprn) return `uprn:${uprn}`;
  const postcode = address.postcode ? toNormalised(address.postcode) : null;
  const firstLine = address.addressLines
    ?.find((line) => line.trim())
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (postcode && firstLine) return `addr:${postcode}|${firstLine}`;
  return undefined;
}

/** Within one address: people joined by a current shared group are one household (union-find). */
function groupResidents<T extends { person: PersonHomeEvidence }>(residents: T[], now: Date): T[][] {
  const parent = residents.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const firstWithGroup = new Map<string, number>();
  residents.forEach(({ person }, i) => {
    for (const key of currentGroupKeys(person, now)) {
      const first = firstWithGroup.get(key);
      if (first === undefined) firstWithGroup.set(key, i);
      else parent[find(i)] = find(first);
    }
  });
  const groups = new Map<number, T[]>();
  residents.forEach((resident, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), resident]));
  const all = [...groups.values()];
  // Someone no source groups with anyone joins the household at their address when there is exactly one;
  // with two or more (a house share) nobody can say which, so they stand alone.
  const grouped = all.filter((g) => g.length > 1 || currentGroupKeys(g[0].person, now).length > 0);
  const loners = all.filter((g) => !grouped.includes(g));
  if (grouped.length === 1) return [[...grouped[0], ...loners.flat()]];
  return [...grouped, ...loners];
}

function currentGroupKeys(person: PersonHomeEvidence, now: Date): string[] {
  return person.records.flatMap((record) =>
    record.hints.filter((hint) => isCurrent(hint, now)).map((hint) => `${record.source}|${hint.kind}|${hint.groupKey}`),
  );
}

function isCurrent(hint: HouseholdHint, now: Date): boolean {
  const day = now.toISOString().slice(0, 10);
  return (!hint.from || hint.from <= day) && (!hint.to || hint.to >= day);
}

function memberOf(person: PersonHomeEvidence, now: Date) {
  const evidence = person.records.flatMap((record) =>
    record.hints
      .filter((hint) => isCurrent(hint, now))
      .map((hint) => ({ source: record.source, kind: hint.kind, groupKey: hint.groupKey, role: hint.role })),
  );
  return { personId: person.personId, role: evidence.find((e) => e.role)?.role, evidence };
}

/**
 * Keeps household ids stable: each resolved household continues the existing household at the same address
 * with which it shares most members (ties to the older id order given), each existing id used once.
 */
function assignExistingIds(resolved: ResolvedHousehold[], existing: ExistingHousehold[]): void {
  const candidates: { household: ResolvedHousehold; id: string; overlap: number }[] = [];
  for (const household of resolved) {
    const members = new Set(household.members.map((m) => m.personId));
    for (const old of existing) {
      if (old.addressKey !== household.addressKey) continue;
      const overlap = old.members.filter((m) => members.has(m)).length;
      if (overlap > 0) candidates.push({ household, id: old.id, overlap });
    }
  }
  candidates.sort((a, b) => b.overlap - a.overlap);
  const used = new Set<string>();
  for (const { household, id } of candidates) {
    if (household.existingId || used.has(id)) continue;
    household.existingId = id;
    used.add(id);
  }
}
