import { withheldError } from '../engine/policy/field-policy';
import type { SubjectGroup } from '../engine/policy/policy.decorator';
import type { Decision, FieldRef, PolicySubject } from '../access/policy/policy.types';
import type { SubjectTags } from '../engine/policy/subject-tag';
import type { GoldenIdentity } from '../identity/persons/golden-identity';
import { releasedTeams } from './derived-facts';
import { HOUSEHOLD_REFS, isLiveRef, LIVE_SOURCES } from './field-refs';
import type { HouseholdRecord } from './households/household-directory.service';
import type { IndexedPerson } from '../identity/directory/person-directory.service';
import type { RequestLoaders } from './live/request-loaders';
import type { HouseholdModel } from './models/household.model';
import type { PersonModel } from './models/person.model';

/**
 * What a view object carries besides its fields, in its typed `view` property (no GraphQL field: the schema
 * has only the model's declared fields): the request's loaders and register of decisions and, in a group,
 * the shared prefetch.
 */
export interface ViewState {
  loaders: RequestLoaders;
  /** The request's decisions (its `HubRequestContext.subjectTags`): which one this view is released under. */
  tags: SubjectTags;
  prefetched?: Promise<void>;
  /** The merged id this person was asked for by, when it was not their own: audited beside theirs. */
  requestedId?: string;
}

/** A person as the single view builds it: the model's fields and the view's state. */
export type PersonView = PersonModel & { readonly view: ViewState };
/** A household as the single view builds it: the model's fields (its members as built) and the view's state. */
export type HouseholdView = Omit<HouseholdModel, 'members'> & { members: MemberView[]; readonly view: ViewState };

/** The request's parts a view needs: its loaders and its register of decisions (`HubRequestContext.subjectTags`). */
export interface ViewRequest {
  loaders: RequestLoaders;
  tags: SubjectTags;
}

/** Masks all but the last three characters: enough to confirm a number the caller holds, not to learn it. */
export function maskIdentifier(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return '*'.repeat(Math.max(value.length - 3, 0)) + value.slice(-3);
}

const goldenFields: Record<string, (g: GoldenIdentity) => unknown> = {
  givenName: (g) => g.givenName?.value,
  middleNames: (g) => g.middleNames?.value,
  familyName: (g) => g.familyName?.value,
  previousFamilyNames: (g) => g.previousFamilyNames,
  dateOfBirth: (g) => g.dateOfBirth?.value,
  dateOfDeath: (g) => g.dateOfDeath?.value,
  sex: (g) => g.sex?.value,
  nino: (g) => g.nino?.value,
  ninoMasked: (g) => maskIdentifier(g.nino?.value),
  nhsNumber: (g) => g.nhsNumber?.value,
  nhsNumberMasked: (g) => maskIdentifier(g.nhsNumber?.value),
  addressLines: (g) => g.address?.value.addressLines,
  locality: (g) => g.address?.value.locality,
  postcode: (g) => g.address?.value.postcode,
  uprn: (g) => g.address?.value.uprn,
  phone: (g) => g.phone?.value,
  email: (g) => g.email?.value,
};

/** Defines `field` as a getter: the value is worked out when GraphQL reads it, and only then. */
export function lazy(target: object, field: string, read: () => unknown): void {
  Object.defineProperty(target, field, { get: read, enumerable: true, configurable: false });
}

/**
 * A person as GraphQL resolves it. Identity fields are getters, read only when the field is resolved, so
 * only fields the field policy has let through are read from the index rows. Those rows are read while
 * the decision is taken (one batched query per request): into the request's memory, released to nobody.
 */
export function personView(
  id: string,
  request: ViewRequest,
  indexedAlready?: IndexedPerson,
  requestedId?: string,
): PersonView {
  const { loaders, tags } = request;
  if (indexedAlready) loaders.indexed.prime(id, indexedAlready);
  else loaders.warm([id]);
  const indexed = () => loaders.indexed.load(id);
  const view: PersonView = {
    id,
    exists: true,
    view: { loaders, tags, ...(requestedId && requestedId !== id ? { requestedId } : {}) },
  };
  // Read only once the field policy released the field, so the view carries its decision by then.
  lazy(view, 'holdingTeams', async () => {
    const tag = tags.of(view);
    if (!tag) throw withheldError('hub.caseload.team', 'no access decision covers this object');
    return releasedTeams(tag.decision, await loaders.holdingTeams.load(id));
  });
  lazy(view, 'services', async () => {
    const { keys } = await indexed();
    return Object.fromEntries(Object.entries(LIVE_SOURCES).map(([field, source]) => [field, keys.has(source)]));
  });
  for (const [field, pick] of Object.entries(goldenFields))
    lazy(view, field, async () => pick((await indexed()).golden) ?? null);
  return view;
}

/** The live fields of `source` that a decision released. */
export function liveRefs(decision: Decision, source: string): FieldRef[] {
  return decision.released.filter((ref) => isLiveRef(ref, source));
}

/**
 * Asks every source, once, for all the persons whose decisions released some of its fields, so that a
 * household or a page of results costs one call per source however many people it holds. Resolves once
 * those calls are on their way; the persons' field resolvers wait for this before reading (from the
 * request's cache).
 */
function prefetch(loaders: RequestLoaders, released: { person: PersonView; decision: Decision }[]): Promise<void> {
  const work = (async () => {
    const wanted = released.filter(({ decision }) =>
      Object.values(LIVE_SOURCES).some((source) => liveRefs(decision, source).length > 0),
    );
    if (wanted.length === 0) return;
    const indexed = await loaders.indexed.loadMany(wanted.map(({ person }) => person.id));
    const sent: Promise<void>[] = [];
    for (const source of Object.values(LIVE_SOURCES)) {
      const persons = wanted.flatMap(({ decision }, i) => {
        const refs = liveRefs(decision, source);
        const person = indexed[i];
        return refs.length > 0 && !(person instanceof Error) ? [{ person, refs }] : [];
      });
      sent.push(loaders.prefetch(source, persons));
    }
    await Promise.all(sent);
  })();
  // Failures surface in the field resolvers that read the data; the prefetch is only a head start.
  return work.catch(() => undefined);
}

function releasedAnything(decision: Decision | undefined): decision is Decision {
  return !!decision && decision.released.length > 0;
}

/** What a member's entry is: that they are a member, their role, when. Existence answers about them are not. */
const MEMBERSHIP_REFS: readonly string[] = [HOUSEHOLD_REFS.members, HOUSEHOLD_REFS.role, HOUSEHOLD_REFS.period];

/** Whether a member's entry may be in the list: some part of the entry itself is released about them. */
function releasesMembership(decision: Decision | undefined): decision is Decision {
  return !!decision && decision.released.some((ref) => MEMBERSHIP_REFS.includes(ref));
}

/** A member's entry as the household view builds it (`HouseholdMemberModel`'s fields). */
export interface MemberView {
  person: PersonView;
  role: string | null;
  validFrom: Date;
  validTo: Date | null;
  current: boolean;
}

/**
 * A household as GraphQL resolves it, with its members; decided as a group (see `householdGroup`).
 * `reachedThrough`: the person it was reached from and the merged id they were asked for by, if any.
 */
export function householdView(
  record: HouseholdRecord,
  request: ViewRequest,
  reachedThrough?: { personId: string; requestedId?: string },
): HouseholdView {
  const { loaders } = request;
  const members: MemberView[] = record.memberships.map((m) => ({
    person: personView(
      m.personId,
      request,
      undefined,
      m.personId === reachedThrough?.personId ? reachedThrough.requestedId : undefined,
    ),
    role: m.role,
    validFrom: m.validFrom,
    validTo: m.validTo,
    current: m.validTo === null,
  }));
  const currentIds = [...new Set(record.memberships.filter((m) => m.validTo === null).map((m) => m.personId))];
  const involvement = async () => {
    const indexed = await loaders.indexed.loadMany(currentIds);
    const count = (source: string) => indexed.filter((p) => !(p instanceof Error) && p.keys.has(source)).length;
    return Object.fromEntries(Object.entries(LIVE_SOURCES).map(([field, source]) => [field, count(source)]));
  };
  const view: HouseholdView = {
    id: record.id,
    uprn: record.uprn ?? undefined,
    postcode: record.postcode ?? undefined,
    addressLines: record.addressLines ?? undefined,
    members,
    memberCount: currentIds.length,
    view: { loaders, tags: request.tags },
  };
  lazy(view, 'services', involvement);
  lazy(
    view,
    'multipleServicesInvolved',
    async () => Object.values(await involvement()).filter((n) => n > 0).length > 1,
  );
  return view;
}

/**
 * The policy group of a household: every member (current and former) is a subject with a decision of
 * their own, which governs their entry; a member about whom nothing is released is left out, so the list
 * does not even say they live there. The household's own fields are released only where every current
 * member's decision releases them (the household's address is each of theirs).
 */
export function householdGroup(item: unknown): SubjectGroup | undefined {
  const household = item as HouseholdView;
  const members = household.members;
  const ids = [...new Set(members.map((m) => m.person.id))];
  const released = (decisions: ReadonlyMap<string, Decision>) =>
    members.filter((m) => releasesMembership(decisions.get(m.person.id)));
  return {
    // Each member's event names the household as well as the member (household.view subjects).
    subjects: ids.map((personId) => ({
      personId,
      householdId: household.id,
      ...requestedIdOf(members.find((m) => m.person.id === personId)!.person),
    })),
    prepare: (decisions) =>
      startPrefetch(released(decisions).map((m) => ({ person: m.person, decision: decisions.get(m.person.id)! }))),
    release(decisions, tags) {
      const current = [...new Set(members.filter((m) => m.current).map((m) => m.person.id))];
      const kept = released(decisions);
      members.splice(0, members.length, ...kept);
      for (const member of kept) {
        const tag = { subject: { personId: member.person.id }, decision: decisions.get(member.person.id)! };
        tags.tag(member, tag);
        tags.tag(member.person, tag);
      }
      const joint = jointDecision(current.map((id) => decisions.get(id)).filter((d): d is Decision => !!d));
      tags.tag(household, { subject: { personId: current[0] ?? household.id }, decision: joint });
    },
  };
}

/** The policy group of one person (a person view): its live data is asked for while the decision is recorded. */
export function personGroup(item: unknown): SubjectGroup | undefined {
  const person = item as PersonView;
  return {
    subjects: [{ personId: person.id, ...requestedIdOf(person) }],
    prepare: (decisions) => startPrefetch([{ person, decision: decisions.get(person.id)! }]),
    release: (decisions, tags) =>
      tags.tag(person, { subject: { personId: person.id }, decision: decisions.get(person.id)! }),
  };
}

/** `{ requestedId }` when the person was reached through a merged id, for their policy subject. */
function requestedIdOf(person: PersonView): { requestedId?: string } {
  const { requestedId } = person.view;
  return requestedId ? { requestedId } : {};
}

/** The policy group of a page of search results: a result about whom nothing is released is left out. */
export function searchGroup(item: unknown): SubjectGroup | undefined {
  const page = item as { edges: { person: PersonView }[] };
  const released = (decisions: ReadonlyMap<string, Decision>) =>
    page.edges.filter((edge) => releasedAnything(decisions.get(edge.person.id)));
  return {
    subjects: page.edges.map((edge) => ({ personId: edge.person.id }) satisfies PolicySubject),
    prepare: (decisions) =>
      startPrefetch(
        released(decisions).map((edge) => ({ person: edge.person, decision: decisions.get(edge.person.id)! })),
      ),
    release(decisions, tags) {
      const kept = released(decisions);
      page.edges.splice(0, page.edges.length, ...kept);
      for (const edge of kept)
        tags.tag(edge.person, { subject: { personId: edge.person.id }, decision: decisions.get(edge.person.id)! });
    },
  };
}

/**
 * Starts the live lookups for what the decisions allow (nothing is released by it) and lets the fields wait
 * for them. Resolves once the lookups are on their way.
 */
function startPrefetch(released: { person: PersonView; decision: Decision }[]): Promise<void> | undefined {
  if (released.length === 0) return undefined;
  const prefetched = prefetch(released[0].person.view.loaders, released);
  for (const { person } of released) person.view.prefetched = prefetched;
  return prefetched;
}

/** The reason a household-level field gives when some member's own reason withholds it: it names no one. */
export const NOT_FOR_EVERY_MEMBER = 'not released for every current member of the household';

/**
 * The decision for a household-level field: released only if released for every current member (an
 * objection or a missing relationship for any one of them withholds it); with no current member, nothing.
 * Its reasons are the household's: a reason about the request (the agreement, the purpose) is the same for
 * every member and is given as it is; one about a member (their objection, consent or relationship) is
 * not, so a hidden member is never linked to the household by an id in it.
 */
export function jointDecision(decisions: Decision[]): Decision {
  if (decisions.length === 0)
    return { effect: 'deny', released: [], withheld: [], reasons: ['the household has no current member'] };
  const [first, ...rest] = decisions;
  const released = first.released.filter((ref) => rest.every((d) => d.released.includes(ref)));
  const asked = new Set(decisions.flatMap((d) => [...d.released, ...d.withheld.map((w) => w.field)]));
  const withheld = [...asked]
    .filter((ref) => !released.includes(ref))
    .map((field) => ({ field, reason: householdReason(decisions, field), about: 'request' as const }));
  const effect = withheld.length === 0 ? 'allow' : released.length === 0 ? 'deny' : 'allow-with-redactions';
  return {
    effect,
    released,
    withheld,
    reasons: ['household-level fields: released only where released for every current member'],
  };
}

function householdReason(decisions: Decision[], field: string): string {
  const reasons = decisions.map((d) => d.withheld.find((w) => w.field === field));
  const [first] = reasons;
  // A reason without `about` is taken as one about the person: it might name them.
  const sharedRequestReason = reasons.every((w) => w?.about === 'request' && w.reason === first!.reason);
  return sharedRequestReason ? first!.reason : NOT_FOR_EVERY_MEMBER;
}
