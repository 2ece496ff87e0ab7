import {
  isIsoDate,
  LifeEventDesk,
  LifeEventEdit,
  LifeEventPlan,
  inWireNames,
  lifeEventProblems,
  SandboxLifeEvent,
  SandboxResponse,
} from '../../../src/sandbox/sandbox-kit';
import { CarePerson, months } from '../social-care-api.types';
import { CareStore } from './social-care-store';

/**
 * `POST /api/notifications`: the case management system's notification API (dates yyyyMMdd, its own event
 * names), answering `{messageId, state: PROCESSED | DUPLICATE | NO_ACTION, note}`; 400 `{message, errors}`
 * for a notification it cannot take; 409 `{code: "MESSAGE_ID_REUSED"}` for a message id used before for
 * another notification.
 */
export async function receiveCareNotification(
  store: CareStore,
  desk: LifeEventDesk,
  body: unknown,
): Promise<SandboxResponse> {
  const read = readNotification(body);
  if ('errors' in read) return { status: 400, body: { message: 'invalid notification', errors: read.errors } };
  const answer = await desk.receive(read.event, (event) => planCare(store, event));
  if ('conflict' in answer) return { status: 409, body: { code: 'MESSAGE_ID_REUSED', message: answer.conflict } };
  const state = { applied: 'PROCESSED', 'already-applied': 'DUPLICATE', 'nothing-to-do': 'NO_ACTION' }[answer.outcome];
  return { status: 200, body: { messageId: read.event.key, state, note: answer.detail } };
}

const eventTypes: Record<string, SandboxLifeEvent['type']> = {
  DEATH: 'DEATH',
  BIRTH: 'BIRTH',
  ADDRESS_CHANGE: 'CHANGE_OF_ADDRESS',
  NAME_CHANGE: 'CHANGE_OF_NAME',
};
const messageTypes: Record<string, SandboxLifeEvent['kind']> = { NOTIFICATION: 'NOTICE', WITHDRAWAL: 'RETRACTION' };
const fieldNames: Record<string, string> = {
  key: 'messageId',
  kind: 'messageType',
  eventId: 'eventReference',
  type: 'eventType',
  subjects: 'personIds',
  date: 'eventDate',
  newAddress: 'address',
  newName: 'name',
  child: 'child',
  'child.dateOfBirth': 'child.birthDate',
};

type Raw = Record<string, unknown>;

function readNotification(body: unknown): { event: SandboxLifeEvent } | { errors: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { errors: ['body: a JSON object'] };
  const b = body as Raw;
  const address = obj(b.address);
  const name = obj(b.name);
  const child = obj(b.child);
  const forenames = text(name?.forenames)?.split(/\s+/);
  const event: Partial<SandboxLifeEvent> = strip({
    key: b.messageId as string,
    kind: messageTypes[String(b.messageType)] ?? (b.messageType as SandboxLifeEvent['kind']),
    eventId: b.eventReference as string,
    type: (Object.hasOwn(eventTypes, String(b.eventType)) ? eventTypes[String(b.eventType)] : b.eventType) as
      SandboxLifeEvent['type'] | undefined,
    subjects: b.personIds as string[],
    date: b.eventDate === undefined || b.eventDate === null ? undefined : isoFromCompact(b.eventDate),
    newAddress: address
      ? strip({
          lines: (text(address.addressText) ?? '')
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean),
          postcode: address.postcode as string,
          uprn: text(address.uprn),
        })
      : b.address === undefined || b.address === null
        ? undefined
        : ({} as never),
    newName: name
      ? strip({
          givenName: forenames?.[0],
          middleNames: forenames && forenames.length > 1 ? forenames.slice(1).join(' ') : undefined,
          familyName: text(name.surname),
        })
      : undefined,
    child: child
      ? strip({
          givenName: child.forenames as string,
          familyName: child.surname as string,
          dateOfBirth: child.birthDate === undefined ? undefined : isoFromCompact(child.birthDate),
        })
      : undefined,
  });
  const problems = lifeEventProblems(event);
  if (event.kind === 'NOTICE' && event.type === 'CHANGE_OF_ADDRESS' && event.newAddress === undefined)
    problems.push('newAddress: required for an address change');
  if (problems.length)
    return {
      errors: inWireNames(problems, fieldNames),
    };
  return { event: event as SandboxLifeEvent };
}

/**
 * What the case management system does with a life event. A death is recorded on the person (date of
 * death) and closes each of their open involvements at that date. A move changes the address held. A name
 * change updates the name, keeping the former surname. A birth changes nothing: a child is recorded when a
 * referral is made.
 */
export function planCare(store: CareStore, event: SandboxLifeEvent): LifeEventPlan {
  const people = event.subjects.map((id) => store.get(id)).filter((p): p is CarePerson => !!p && 'name' in p);
  if (people.length === 0) return nothing('no active person for the person ids given');
  if (event.type === 'BIRTH') return nothing('a child is recorded when a referral is made');
  const iso = event.date ?? new Date().toISOString().slice(0, 10);
  const edits: LifeEventEdit[] = [];
  const notes: string[] = [];
  for (const person of people) {
    if (event.type === 'DEATH') {
      if (person.deathDate) {
        notes.push('death already recorded');
        continue;
      }
      edits.push({ key: person.personId, set: { deathDate: careDate(iso) } });
      const closed: string[] = [];
      for (const involvement of store.involvementsFor(person.personId)) {
        if (involvement.closeDate) continue;
        edits.push({
          key: `involvement:${person.personId}:${involvement.caseId}`,
          set: { closeDate: iso.replaceAll('-', '') },
        });
        closed.push(involvement.caseId);
      }
      notes.push(closed.length ? 'death recorded; open involvements closed' : 'death recorded');
    } else if (event.type === 'CHANGE_OF_ADDRESS') {
      const address = event.newAddress!;
      if (address.uprn && address.uprn === person.address?.uprn) {
        notes.push('already at that address');
        continue;
      }
      edits.push({
        key: person.personId,
        set: {
          address: { uprn: address.uprn ?? null, addressText: address.lines.join(', '), postcode: address.postcode },
        },
      });
      notes.push('address changed');
    } else {
      const [surname, forenames = ''] = person.name.split(/,\s*/, 2);
      const [given, ...middle] = forenames.split(/\s+/).filter(Boolean);
      const name = event.newName!;
      const nextSurname = (name.familyName ?? surname).toUpperCase();
      const nextForenames = [name.givenName ?? given, name.middleNames ?? middle.join(' ')].filter(Boolean).join(' ');
      const nextName = `${nextSurname}, ${nextForenames}`;
      if (nextName === person.name) {
        notes.push('the name is as given already');
        continue;
      }
      const set: Record<string, unknown> = { name: nextName };
      if (nextSurname !== surname) set.formerNames = [...(person.formerNames ?? []), surname];
      edits.push({ key: person.personId, set });
      notes.push('name changed');
    }
  }
  if (edits.length === 0) return nothing(notes.join('; ') || 'nothing to change');
  return { outcome: 'applied', detail: notes.join('; '), edits };
}

function careDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}-${months[Number(m) - 1]}-${y}`;
}

/** yyyyMMdd → yyyy-mm-dd; anything else becomes a value the check refuses. */
function isoFromCompact(value: unknown): string {
  const match = typeof value === 'string' ? /^(\d{4})(\d{2})(\d{2})$/.exec(value) : null;
  const iso = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
  return isIsoDate(iso) ? iso : 'invalid';
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
