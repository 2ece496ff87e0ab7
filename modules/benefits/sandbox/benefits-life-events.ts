import {
  LifeEventDesk,
  LifeEventEdit,
  LifeEventPlan,
  inWireNames,
  lifeEventProblems,
  SandboxLifeEvent,
  SandboxResponse,
} from '../../../src/sandbox/sandbox-kit';
import { BenefitsParty } from '../benefits-api.types';
import { BenefitsStore } from './benefits-store';

/**
 * `POST /v1/life-events`: the benefits system's notification API (camelCase, ISO dates), answering
 * `{idempotencyKey, status: applied | duplicate | no_change, message}`; 422 `{error: "invalid_notice",
 * fields}` for a notice it cannot take; 409 `{error: "idempotency_key_reused"}` for a key used before for
 * another notice.
 */
export async function receiveBenefitsLifeEvent(
  store: BenefitsStore,
  desk: LifeEventDesk,
  body: unknown,
): Promise<SandboxResponse> {
  const read = readLifeEvent(body);
  if ('fields' in read) return { status: 422, body: { error: 'invalid_notice', fields: read.fields } };
  const answer = await desk.receive(read.event, (event) => planBenefits(store, event));
  if ('conflict' in answer) return { status: 409, body: { error: 'idempotency_key_reused', message: answer.conflict } };
  const status = { applied: 'applied', 'already-applied': 'duplicate', 'nothing-to-do': 'no_change' }[answer.outcome];
  return { status: 200, body: { idempotencyKey: read.event.key, status, message: answer.detail } };
}

const fieldNames: Record<string, string> = {
  key: 'idempotencyKey',
  kind: 'noticeType',
  eventId: 'eventId',
  type: 'eventType',
  subjects: 'partyIds',
  date: 'eventDate',
  newAddress: 'newAddress',
  newName: 'newName',
  child: 'child',
  'child.dateOfBirth': 'child.dateOfBirth',
};

type Raw = Record<string, unknown>;

function readLifeEvent(body: unknown): { event: SandboxLifeEvent } | { fields: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { fields: ['body: a JSON object'] };
  const b = body as Raw;
  const name = obj(b.newName);
  const child = obj(b.child);
  const event: Partial<SandboxLifeEvent> = strip({
    key: b.idempotencyKey as string,
    kind: b.noticeType as SandboxLifeEvent['kind'],
    eventId: b.eventId as string,
    type: b.eventType as SandboxLifeEvent['type'],
    subjects: b.partyIds as string[],
    date: b.eventDate === null ? undefined : (b.eventDate as string | undefined),
    newAddress: b.newAddress === null ? undefined : (b.newAddress as SandboxLifeEvent['newAddress']),
    newName: name
      ? strip({
          givenName: text(name.forename),
          middleNames: text(name.otherForenames),
          familyName: text(name.surname),
        })
      : undefined,
    child: child
      ? strip({
          givenName: child.forename as string,
          familyName: child.surname as string,
          dateOfBirth: child.dateOfBirth as string | undefined,
        })
      : undefined,
  });
  const problems = lifeEventProblems(event);
  if (event.kind === 'NOTICE' && event.type === 'CHANGE_OF_ADDRESS' && event.newAddress === undefined)
    problems.push('newAddress: required for a change of address');
  if (problems.length)
    return {
      fields: inWireNames(problems, fieldNames),
    };
  return { event: event as SandboxLifeEvent };
}

/**
 * What the benefits system does with a life event. A death is recorded on the party (date of death, the
 * party's award ended at that date); a claimant's death suspends a live claim for review. A move changes
 * the claim address held for the party. A name change updates the name, keeping the former surname. A
 * birth changes nothing: a new dependant is added when the claimant reports the change of circumstances.
 */
export function planBenefits(store: BenefitsStore, event: SandboxLifeEvent): LifeEventPlan {
  const parties = event.subjects.map((id) => store.get(id)).filter((p): p is BenefitsParty => !!p && 'partyId' in p);
  if (parties.length === 0) return nothing('no current party for the party ids given');
  if (event.type === 'BIRTH')
    return nothing('a new dependant is added when the claimant reports the change of circumstances');
  const date = event.date ?? new Date().toISOString().slice(0, 10);
  const edits: LifeEventEdit[] = [];
  const notes: string[] = [];
  const suspended = new Set<string>();
  for (const party of parties) {
    const person = party.person ?? {};
    if (event.type === 'DEATH') {
      if (person.dateOfDeath) {
        notes.push(`death already recorded on claim ${party.claimReference}`);
        continue;
      }
      const set: Record<string, unknown> = { person: { ...person, dateOfDeath: date } };
      if (!party.awardEndDate || party.awardEndDate > date) set.awardEndDate = date;
      edits.push({ key: party.partyId, set });
      const claim = store.claim(party.claimReference);
      if (party.partyRole === 'CLMT' && claim?.status === 'LIVE' && !suspended.has(claim.claimReference)) {
        suspended.add(claim.claimReference);
        edits.push({ key: `claim:${claim.claimReference}`, set: { status: 'SUSPENDED' } });
        notes.push(`death recorded; claim ${claim.claimReference} suspended for review`);
      } else notes.push(`death recorded on claim ${party.claimReference}`);
    } else if (event.type === 'CHANGE_OF_ADDRESS') {
      const address = event.newAddress!;
      if (address.uprn && address.uprn === party.claimAddress?.uprn) {
        notes.push('already at that address');
        continue;
      }
      edits.push({
        key: party.partyId,
        set: {
          claimAddress: { uprn: address.uprn ?? null, lines: address.lines, town: null, postcode: address.postcode },
        },
      });
      notes.push(`claim address changed on claim ${party.claimReference}`);
    } else {
      const name = event.newName!;
      const next = {
        ...person,
        forename: name.givenName ?? person.forename ?? null,
        otherForenames: name.middleNames ?? person.otherForenames ?? null,
        surname: name.familyName ?? person.surname ?? null,
      };
      if (
        next.forename === person.forename &&
        next.otherForenames === (person.otherForenames ?? null) &&
        next.surname === person.surname
      ) {
        notes.push('the name is as given already');
        continue;
      }
      if (person.surname && next.surname !== person.surname)
        next.formerSurnames = [...(person.formerSurnames ?? []), person.surname];
      edits.push({ key: party.partyId, set: { person: next } });
      notes.push(`name changed on claim ${party.claimReference}`);
    }
  }
  if (edits.length === 0) return nothing(notes.join('; ') || 'nothing to change');
  return { outcome: 'applied', detail: notes.join('; '), edits };
}

function nothing(detail: string): LifeEventPlan {
  return { outcome: 'nothing-to-do', detail, edits: [] };
}

function obj(value: unknown): Raw | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
