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
import { HousingTenant } from '../housing-api.types';
import { splitFullName } from '../housing.mapper';
import { HousingStore } from './housing-store';

/**
 * `POST /api/v2/life-event-notifications`: the housing system's notification API (snake_case, dates
 * dd/MM/yyyy), answering `{notification_ref, result: APPLIED | ALREADY_APPLIED | NO_ACTION, message}`;
 * 400 `{error: "validation", errors}` for a notification it cannot read; 409 `{error: "conflict"}` for a
 * reference used before for another notification.
 */
export async function receiveHousingNotification(
  store: HousingStore,
  desk: LifeEventDesk,
  body: unknown,
): Promise<SandboxResponse> {
  const read = readNotification(body);
  if ('errors' in read) return { status: 400, body: { error: 'validation', errors: read.errors } };
  const answer = await desk.receive(read.event, (event) => planHousing(store, event));
  if ('conflict' in answer) return { status: 409, body: { error: 'conflict', message: answer.conflict } };
  const result = { applied: 'APPLIED', 'already-applied': 'ALREADY_APPLIED', 'nothing-to-do': 'NO_ACTION' }[
    answer.outcome
  ];
  return { status: 200, body: { notification_ref: read.event.key, result, message: answer.detail } };
}

const fieldNames: Record<string, string> = {
  key: 'notification_ref',
  kind: 'notification_type',
  eventId: 'event_ref',
  type: 'event_type',
  subjects: 'tenant_refs',
  date: 'event_date',
  newAddress: 'new_address',
  newName: 'new_name',
  child: 'child',
  'child.dateOfBirth': 'child.dob',
};

type Raw = Record<string, unknown>;

function readNotification(body: unknown): { event: SandboxLifeEvent } | { errors: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { errors: ['body: a JSON object'] };
  const b = body as Raw;
  const address = obj(b.new_address);
  const name = obj(b.new_name);
  const child = obj(b.child);
  const event: Partial<SandboxLifeEvent> = {
    key: b.notification_ref as string,
    kind: b.notification_type as SandboxLifeEvent['kind'],
    eventId: b.event_ref as string,
    type: b.event_type as SandboxLifeEvent['type'],
    subjects: b.tenant_refs as string[],
    date: b.event_date === undefined || b.event_date === null ? undefined : isoFromUk(b.event_date),
  };
  if (address)
    event.newAddress = strip({
      lines: [address.address1, address.address2, address.address3, address.town].filter(
        (l) => typeof l === 'string' && l.trim() !== '',
      ) as string[],
      postcode: address.post_code as string,
      uprn: typeof address.uprn === 'string' ? address.uprn : undefined,
    });
  else if (b.new_address !== undefined && b.new_address !== null) event.newAddress = {} as never;
  if (name)
    event.newName = strip({
      givenName: text(name.forename),
      middleNames: text(name.middle_names),
      familyName: text(name.surname),
    });
  if (child)
    event.child = strip({
      givenName: child.forename as string,
      familyName: child.surname as string,
      sex: (child.gender === 'Female' ? 'F' : child.gender === 'Male' ? 'M' : child.gender ? 'X' : undefined) as
        'F' | 'M' | 'X' | undefined,
      dateOfBirth: child.dob === undefined || child.dob === null ? undefined : isoFromUk(child.dob),
    });
  const problems = lifeEventProblems(event);
  if (event.kind === 'NOTICE' && event.type === 'BIRTH' && event.child === undefined)
    problems.push('child: required for a birth');
  if (problems.length)
    return {
      errors: inWireNames(problems, fieldNames),
    };
  return { event: strip(event) as SandboxLifeEvent };
}

/**
 * What the housing system does with a life event. A death or a move ends the person's part in their
 * tenancy at the event's date (the day the notice came when it has none): the sole tenant's going ends the
 * tenancy for everyone on it (rent account closed); a joint tenant's passes the tenancy to the surviving
 * joint tenant (who becomes the lead tenant); a household member's or lodger's ends their own record. A
 * death of a homelessness applicant closes the application; a move of one changes the address held for it.
 * A move keeps the new address as the record's forwarding address. A birth adds the child to the parent's
 * tenancy (or application) household, unless it is there already. A name change updates the name, keeping
 * the previous surname.
 */
export function planHousing(store: HousingStore, event: SandboxLifeEvent): LifeEventPlan {
  const subjects = event.subjects.map((ref) => store.get(ref)).filter((t): t is HousingTenant => !!t);
  if (subjects.length === 0) return nothing('no current record for the tenant references given');
  const date = ukDate(event.date ?? new Date().toISOString().slice(0, 10));
  const edits: LifeEventEdit[] = [];
  const notes: string[] = [];
  if (event.type === 'DEATH' || event.type === 'CHANGE_OF_ADDRESS') {
    const moved = event.type === 'CHANGE_OF_ADDRESS';
    const handled = new Set<string>();
    for (const tenant of subjects) {
      if (handled.has(tenant.tenant_ref)) continue;
      if (moved && event.newAddress?.uprn && event.newAddress.uprn === tenant.property?.uprn) {
        notes.push('already at that address');
        continue;
      }
      leave(store, tenant, date, moved ? event : undefined, edits, notes, handled);
    }
  } else if (event.type === 'BIRTH') {
    const groups = new Set<string>();
    for (const parent of subjects) {
      const group = parent.tenancy_ref ?? parent.application_ref;
      if (!group || groups.has(group) || parent.tenancy_end) continue;
      groups.add(group);
      addChild(store, parent, group, event, edits, notes);
    }
  } else {
    for (const tenant of subjects) rename(tenant, event, edits, notes);
  }
  if (edits.length === 0) return nothing(notes.join('; ') || 'nothing to change');
  return { outcome: 'applied', detail: notes.join('; '), edits };
}

function leave(
  store: HousingStore,
  tenant: HousingTenant,
  date: string,
  move: SandboxLifeEvent | undefined,
  edits: LifeEventEdit[],
  notes: string[],
  handled: Set<string>,
): void {
  handled.add(tenant.tenant_ref);
  const forwarding = move?.newAddress ? { forwarding_address: housingAddress(move.newAddress) } : {};
  if (tenant.application_ref && !tenant.tenancy_ref) {
    if (move) {
      if (!move.newAddress) return void notes.push(`no new address given for application ${tenant.application_ref}`);
      edits.push({ key: tenant.tenant_ref, set: { property: housingAddress(move.newAddress) } });
      return void notes.push(`address changed on application ${tenant.application_ref}`);
    }
    if (tenant.tenancy_role !== 'Applicant') {
      if (tenant.tenancy_end) return void notes.push(`had left application ${tenant.application_ref}`);
      edits.push({ key: tenant.tenant_ref, set: { tenancy_end: date } });
      return void notes.push(`a household member left application ${tenant.application_ref}`);
    }
    if (tenant.application_status === 'Closed')
      return void notes.push(`application ${tenant.application_ref} was closed already`);
    for (const member of store.onGroup(tenant.application_ref))
      edits.push({ key: member.tenant_ref, set: { application_status: 'Closed' } });
    return void notes.push(`application ${tenant.application_ref} closed`);
  }
  const tenancy = tenant.tenancy_ref;
  if (!tenancy) return void notes.push('no tenancy held');
  if (tenant.tenancy_end) return void notes.push(`had left tenancy ${tenancy}`);
  const others = store.onGroup(tenancy).filter((t) => t.tenant_ref !== tenant.tenant_ref && !t.tenancy_end);
  const isTenant = tenant.tenancy_role === 'Lead Tenant' || tenant.tenancy_role === 'Joint Tenant';
  if (!isTenant) {
    edits.push({ key: tenant.tenant_ref, set: { tenancy_end: date, ...forwarding } });
    return void notes.push(`a household member left tenancy ${tenancy}`);
  }
  const survivors = others.filter((t) => t.tenancy_role === 'Lead Tenant' || t.tenancy_role === 'Joint Tenant');
  if (survivors.length > 0) {
    edits.push({ key: tenant.tenant_ref, set: { tenancy_end: date, ...forwarding } });
    if (survivors.length === 1 && survivors[0].tenancy_role !== 'Lead Tenant')
      edits.push({ key: survivors[0].tenant_ref, set: { tenancy_role: 'Lead Tenant' } });
    return void notes.push(`tenancy ${tenancy} passed to the surviving joint tenant`);
  }
  edits.push({ key: tenant.tenant_ref, set: { tenancy_end: date, rent_account_status: 'Closed', ...forwarding } });
  for (const other of others) {
    handled.add(other.tenant_ref);
    edits.push({ key: other.tenant_ref, set: { tenancy_end: date, rent_account_status: 'Closed' } });
  }
  notes.push(`sole tenancy ${tenancy} ended`);
}

function addChild(
  store: HousingStore,
  parent: HousingTenant,
  group: string,
  event: SandboxLifeEvent,
  edits: LifeEventEdit[],
  notes: string[],
): void {
  const child = event.child!;
  const dob = ukDate(child.dateOfBirth ?? event.date ?? new Date().toISOString().slice(0, 10));
  const fullName = `${child.givenName} ${child.familyName}`;
  const there = store.onGroup(group).find((t) => t.dob === dob && t.full_name.toLowerCase() === fullName.toLowerCase());
  if (there) return void notes.push(`child already on ${group}`);
  const ref = nextRef(store, edits);
  const record: Omit<HousingTenant, 'last_modified' | 'record_status'> = {
    tenant_ref: ref,
    title: null,
    full_name: fullName,
    previous_surname: null,
    dob,
    gender: child.sex === 'F' ? 'Female' : child.sex === 'M' ? 'Male' : 'Not Known',
    ni_number: null,
    nhs_no: null,
    property: { ...parent.property },
    tel: null,
    email: null,
    tenancy_ref: parent.tenancy_ref ?? null,
    application_ref: parent.tenancy_ref ? null : (parent.application_ref ?? null),
    tenancy_role: parent.tenancy_ref ? 'Household Member' : 'Applicant Household',
    tenure: parent.tenure ?? null,
    tenancy_start: dob,
    tenancy_end: null,
    rent_account_status: parent.rent_account_status ?? null,
    application_status: parent.application_status ?? null,
  };
  edits.push({ key: ref, add: record });
  notes.push(`child added to ${group}`);
}

function nextRef(store: HousingStore, edits: LifeEventEdit[]): string {
  const added = edits.filter((e) => 'add' in e).length;
  const next = Number(store.nextTenantRef().slice(1)) + added;
  return `T${String(next).padStart(7, '0')}`;
}

function rename(tenant: HousingTenant, event: SandboxLifeEvent, edits: LifeEventEdit[], notes: string[]): void {
  const current = splitFullName(tenant.full_name);
  const name = event.newName!;
  const next = {
    givenName: name.givenName ?? current.givenName,
    middleNames: name.middleNames ?? current.middleNames,
    familyName: name.familyName ?? current.familyName,
  };
  const fullName = [next.givenName, next.middleNames, next.familyName].filter(Boolean).join(' ');
  if (fullName === tenant.full_name) return void notes.push('the name is as given already');
  const set: Record<string, unknown> = { full_name: fullName };
  if (current.familyName && next.familyName !== current.familyName) set.previous_surname = current.familyName;
  edits.push({ key: tenant.tenant_ref, set });
  notes.push(`name changed on ${tenant.tenancy_ref ?? tenant.application_ref ?? 'the record'}`);
}

function housingAddress(address: NonNullable<SandboxLifeEvent['newAddress']>) {
  const [address1, address2, ...rest] = address.lines;
  return {
    uprn: address.uprn ?? null,
    address1: address1 ?? null,
    address2: address2 ?? null,
    address3: rest.length > 1 ? rest.slice(0, -1).join(', ') : null,
    town: rest.length ? rest[rest.length - 1] : null,
    post_code: address.postcode,
  };
}

function nothing(detail: string): LifeEventPlan {
  return { outcome: 'nothing-to-do', detail, edits: [] };
}

function ukDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** dd/MM/yyyy → yyyy-mm-dd; anything else is passed on as it is, for the check to refuse. */
function isoFromUk(value: unknown): string {
  const match = typeof value === 'string' ? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value) : null;
  const iso = match ? `${match[3]}-${match[2]}-${match[1]}` : String(value);
  return isIsoDate(iso) ? iso : 'invalid';
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
