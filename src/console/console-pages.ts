import { LIVE_SOURCES } from '../single-view/field-refs';
import { CATEGORY_FIELDS, SERVICE_CATEGORIES } from '../single-view/models/service-records.model';
import { ApiError, otherErrors, Withheld } from './hub-api';
import { cell, dayOf, label, link, row, valueHtml } from './console-cells';

/**
 * What each page asks the hub, and how an answer becomes the page: the queries are built from the same
 * tables the schema is (the sources and their categories), so a page shows every field the API has.
 */

const sourceFields = Object.entries(LIVE_SOURCES);
const categoryLists = (source: string) => Object.entries(CATEGORY_FIELDS[source] ?? {});
const categoryFields = (source: string, category: string): readonly string[] =>
  (SERVICE_CATEGORIES as Record<string, Record<string, readonly string[]>>)[source]?.[category] ?? [];

const servicesSelection = `services { ${sourceFields.map(([field]) => field).join(' ')} }`;
const liveSelection = sourceFields
  .map(
    ([field, source]) =>
      `${field} { ${categoryLists(source)
        .map(([list, category]) => `${list} { ${categoryFields(source, category).join(' ')} }`)
        .join(' ')} }`,
  )
  .join('\n    ');

export const PERSON_QUERY = `query ConsolePerson($id: ID!) {
  person(id: $id) {
    id holdingTeams givenName middleNames familyName previousFamilyNames dateOfBirth sex
    ninoMasked nhsNumberMasked addressLines locality postcode uprn phone email
    ${servicesSelection}
    ${liveSelection}
    household { id }
  }
}`;

export const HOUSEHOLD_QUERY = `query ConsoleHousehold($id: ID!) {
  household(id: $id) {
    id uprn postcode addressLines memberCount multipleServicesInvolved
    members { role validFrom validTo current person { id givenName familyName dateOfBirth ${servicesSelection}
    ${liveSelection} } }
  }
}`;

export const SEARCH_QUERY = `query ConsoleSearch($input: SearchPeopleInput!) {
  searchPeople(input: $input) {
    edges { cursor score person { id givenName familyName dateOfBirth postcode holdingTeams } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CASELOAD_QUERY = `query ConsoleCaseload { myCaseload { id subjectKind subjectId team userSubject validFrom } }`;

/**
 * The dated fields of each source's records (`startDate`, `openedOn`, `admissionDate`, `eligibleFrom`...):
 * what the caseload's "changed recently" is made of, asked under policy like any other field.
 */
export const DATED_FIELD = /(Date|On|Since|From)$/;
const datedSelection = sourceFields
  .map(([field, source]) => {
    const lists = categoryLists(source)
      .map(([list, category]) => [list, categoryFields(source, category).filter((f) => DATED_FIELD.test(f))] as const)
      .filter(([, fields]) => fields.length > 0);
    return lists.length
      ? `${field} { ${lists.map(([list, fields]) => `${list} { ${fields.join(' ')} }`).join(' ')} }`
      : '';
  })
  .filter(Boolean)
  .join(' ');

export const CASELOAD_HOUSEHOLD_QUERY = `query ConsoleCaseloadHousehold($id: ID!) {
  household(id: $id) { id addressLines postcode members { current validFrom validTo person { id givenName familyName ${servicesSelection} ${datedSelection} } } }
}`;

export const CASELOAD_PERSON_QUERY = `query ConsoleCaseloadPerson($id: ID!) {
  person(id: $id) { id givenName familyName dateOfBirth ${servicesSelection} ${datedSelection} }
}`;

export const PURPOSES_QUERY = `query ConsolePurposes { purposes { code name description active } me { subject organisation roles team } }`;

type Json = Record<string, unknown>;
const SOURCE_NAMES: Record<string, string> = { housing: 'Housing', benefits: 'Benefits', socialCare: 'Social care' };
const sourceName = (field: string) => SOURCE_NAMES[field] ?? label(field);

/** Outage banners: a source that did not answer, in the hub's words, by source. */
export function outages(errors: readonly ApiError[]): string[] {
  const banners = otherErrors(errors)
    .filter((error) => (error.extensions?.code ?? '').startsWith('SOURCE_'))
    .map((error) => `${sourceName(String(error.path?.at(-1) ?? 'A source'))}: ${error.message}`);
  return [...new Set(banners)];
}

/**
 * Each source's records about one person as sections of lists (a table per category), every value as the
 * hub released it or a withheld marker: `at` is the person's path in the answer ("person",
 * "household.members.2.person").
 */
export function liveSections(p: Json, withheld: Withheld, errors: readonly ApiError[], at: string) {
  const depth = at.split('.').length + 1;
  const unavailable = new Map(
    otherErrors(errors)
      .filter(
        (error) =>
          error.path &&
          error.path.length === depth &&
          error.path.slice(0, -1).join('.') === at &&
          (error.extensions?.code ?? '').startsWith('SOURCE_'),
      )
      .map((error) => [String(error.path!.at(-1)), error.message]),
  );
  return sourceFields.map(([field, source]) => {
    const records = (p[field] ?? null) as Json | null;
    const lists = categoryLists(source).map(([list, category]) => {
      const fields = categoryFields(source, category);
      const items = ((records?.[list] as Json[] | null) ?? []) as Json[];
      return {
        title: label(list),
        withheld: withheld.get(`${at}.${field}.${list}`),
        head: fields.map((name) => ({ text: label(name) })),
        rows: items.map((item, index) =>
          fields.map((name) => cell(item[name], withheld.get(`${at}.${field}.${list}.${index}.${name}`))),
        ),
      };
    });
    return {
      title: sourceName(field),
      withheld: withheld.get(`${at}.${field}`),
      unavailable: unavailable.get(field),
      // A table for each category with records (or a marker where the category was withheld), then the
      // categories the source holds nothing in, named in one line rather than a heading each.
      lists: lists.filter((list) => list.withheld || list.rows.length > 0),
      noneHeld: lists.filter((list) => !list.withheld && list.rows.length === 0).map((list) => inSentence(list.title)),
    };
  });
}

/** A label as a sentence continues it: "Homelessness applications" → "homelessness applications"; "SEN support" kept. */
function inSentence(title: string): string {
  const first = title.split(' ')[0];
  return first.length > 1 && first === first.toUpperCase() ? title : title.charAt(0).toLowerCase() + title.slice(1);
}

const fullName = (p: Json): string | undefined =>
  [p.givenName, p.familyName].filter((part) => typeof part === 'string' && part).join(' ') || undefined;

export function personPage(p: Json, withheld: Withheld, errors: readonly ApiError[]) {
  const w = (field: string) => withheld.get(`person.${field}`);
  const identity: [string, string][] = [
    ['Given name', 'givenName'],
    ['Middle names', 'middleNames'],
    ['Family name', 'familyName'],
    ['Previous family names', 'previousFamilyNames'],
    ['Date of birth', 'dateOfBirth'],
    ['Sex', 'sex'],
    ['National Insurance number', 'ninoMasked'],
    ['NHS number', 'nhsNumberMasked'],
    ['Address', 'addressLines'],
    ['Locality', 'locality'],
    ['Postcode', 'postcode'],
    ['UPRN', 'uprn'],
    ['Phone', 'phone'],
    ['Email', 'email'],
  ];
  const services = (p.services ?? {}) as Json;
  return {
    name: fullName(p),
    identityRows: identity.map(([key, field]) => row(key, p[field], w(field))),
    serviceRows: sourceFields.map(([field]) =>
      row(sourceName(field), services[field], withheld.get(`person.services.${field}`) ?? w('services'), 'not known'),
    ),
    sections: liveSections(p, withheld, errors, 'person'),
  };
}

export function householdPage(h: Json, withheld: Withheld, errors: readonly ApiError[] = []) {
  const w = (field: string) => withheld.get(`household.${field}`);
  const members = (h.members ?? []) as Json[];
  return {
    summaryRows: [
      row('Postcode', h.postcode, w('postcode')),
      row('UPRN', h.uprn, w('uprn')),
      row('People living here', h.memberCount, w('memberCount')),
      row('More than one council service involved', h.multipleServicesInvolved, w('multipleServicesInvolved')),
    ],
    memberRows: members.map((member, index) => {
      const at = (field: string) => withheld.get(`household.members.${index}.${field}`);
      const person = (member.person ?? null) as Json | null;
      const name = person ? fullName(person) : undefined;
      const services = (person?.services ?? null) as Json | null;
      const involved = services
        ? sourceFields.filter(([field]) => services[field] === true).map(([field]) => sourceName(field))
        : [];
      return [
        person && name
          ? link(`/console/people/${String(person.id)}`, name)
          : cell(null, at('person.familyName') ?? at('person'), 'name withheld'),
        cell(person?.dateOfBirth, at('person.dateOfBirth'), person ? 'none recorded' : '-'),
        cell(member.role, at('role')),
        cell(member.validFrom, at('validFrom')),
        cell(member.current ? 'now' : member.validTo, at('validTo')),
        cell(involved, at('person.services'), 'none known'),
      ];
    }),
    // The case file: for each member the hub shows, what each source holds about them now.
    memberFiles: members.flatMap((member, index) => {
      const person = (member.person ?? null) as Json | null;
      if (!person) return [];
      const at = `household.members.${index}.person`;
      return [
        {
          id: String(person.id),
          name: fullName(person) ?? 'Name withheld',
          role: typeof member.role === 'string' ? member.role : undefined,
          current: member.current === true,
          sections: liveSections(person, withheld, errors, at),
        },
      ];
    }),
  };
}

export function searchRows(edges: Json[], withheld: Withheld) {
  return edges.map((edge, index) => {
    const person = edge.person as Json;
    const at = (field: string) => withheld.get(`searchPeople.edges.${index}.person.${field}`);
    return [
      link(`/console/people/${String(person.id)}`, fullName(person) ?? 'Person (name withheld)'),
      cell(person.dateOfBirth, at('dateOfBirth')),
      cell(person.postcode, at('postcode')),
      cell(person.holdingTeams, at('holdingTeams'), 'no case held'),
      { text: typeof edge.score === 'number' ? edge.score.toFixed(2) : '' },
    ];
  });
}

/** The services that know any of `people` (by their `services` answer), by name. */
function servicesOf(people: (Json | null)[]): string[] {
  return sourceFields
    .filter(([field]) => people.some((person) => ((person?.services ?? {}) as Json)[field] === true))
    .map(([field]) => sourceName(field));
}

/** One caseload row: the case (a household or a person), who it is, and the services involved. */
export function caseloadRow(
  assignment: { subjectKind: string; subjectId: string; team: string; userSubject?: string | null; validFrom: string },
  subject: Json | null,
  withheld: Withheld,
  refusal?: string,
) {
  const holder = assignment.userSubject ? `${assignment.team} (you)` : assignment.team;
  const since = cell(assignment.validFrom);
  if (assignment.subjectKind.toLowerCase() === 'household') {
    const members = ((subject?.members ?? []) as Json[])
      .filter((member) => member.current)
      .map((member) => member.person as Json | null);
    const names = members
      .map((person) => (person ? fullName(person) : undefined))
      .filter((name): name is string => Boolean(name));
    return [
      subject
        ? link(
            `/console/households/${assignment.subjectId}`,
            ((subject.addressLines as string[] | null) ?? []).join(', ') || 'Household',
          )
        : cell(null, refusal ?? withheld.get('household'), 'not available'),
      cell(names, withheld.get('household.members'), 'no members shown'),
      cell(servicesOf(members), undefined, 'none known'),
      cell(holder),
      since,
    ];
  }
  return [
    subject
      ? link(`/console/people/${assignment.subjectId}`, fullName(subject) ?? 'Person')
      : cell(null, refusal ?? withheld.get('person'), 'not available'),
    subject?.dateOfBirth && !withheld.has('person.dateOfBirth')
      ? { html: `born ${valueHtml(subject.dateOfBirth)}` }
      : cell(null, withheld.get('person.dateOfBirth'), 'one person'),
    cell(servicesOf([subject]), withheld.get('person.services'), 'none known'),
    cell(holder),
    since,
  ];
}

/** One thing that changed on a case: when, about whom, what (from the values the hub released). */
export interface CaseChange {
  date: string;
  who: string;
  what: string;
}

/**
 * What changed on one case since `since` (yyyy-mm-dd, days in the UK as the page shows them) up to `today`:
 * members who joined or left the household, and every dated value of each source's records (a tenancy started, a claim's award ended, a
 * social care case opened...), as the hub released them for the user's purpose. A withheld date is not a
 * change anyone can be shown, so it is not listed.
 */
export function caseChanges(kind: string, subject: Json | null, since: string, today: string): CaseChange[] {
  if (!subject) return [];
  const within = (value: unknown) => {
    const day = dayOf(value);
    return day && day >= since && day <= today ? day : undefined;
  };
  const recordChanges = (person: Json, who: string): CaseChange[] =>
    sourceFields.flatMap(([field, source]) => {
      const records = (person[field] ?? null) as Json | null;
      if (!records) return [];
      return categoryLists(source).flatMap(([list]) =>
        (((records[list] as Json[] | null) ?? []) as Json[]).flatMap((item) =>
          Object.entries(item).flatMap(([name, value]) => {
            const date = DATED_FIELD.test(name) ? within(value) : undefined;
            return date
              ? [{ date, who, what: `${sourceName(field)}: ${label(list)}, ${label(name).toLowerCase()}` }]
              : [];
          }),
        ),
      );
    });
  if (kind.toLowerCase() !== 'household') return recordChanges(subject, fullName(subject) ?? 'Person');
  return ((subject.members ?? []) as Json[]).flatMap((member) => {
    const person = (member.person ?? null) as Json | null;
    if (!person) return [];
    const who = fullName(person) ?? 'A member';
    const joined = within(member.validFrom);
    const left = within(member.validTo);
    return [
      ...(joined ? [{ date: joined, who, what: 'Joined the household (as the hub first recorded them here)' }] : []),
      ...(left ? [{ date: left, who, what: 'Left the household' }] : []),
      ...recordChanges(person, who),
    ];
  });
}

/** The signed-in user's life-event alerts (Tell Us Once), under the session's purpose like any view. */
export const ALERTS_QUERY = `query ConsoleAlerts { notifications { id personId type date givenName familyName createdAt readAt } }`;
export const ALERT_READ_MUTATION = `mutation ConsoleAlertRead($id: ID!) { markLifeEventNotificationRead(id: $id) }`;

const LIFE_EVENT_WORDS: Record<string, string> = {
  DEATH: 'Death reported',
  BIRTH: 'Birth reported',
  CHANGE_OF_ADDRESS: 'Change of address reported',
  CHANGE_OF_NAME: 'Change of name reported',
};

export interface AlertItem {
  id: string;
  personId: string;
  type?: string | null;
  date?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  readAt?: string | null;
}

/** One alert as a caseload row: when, who (to their page), what happened, and whether it is new. */
export function alertRow(alert: AlertItem, index: number, withheld: Withheld) {
  const at = (field: string) => withheld.get(`notifications.${index}.${field}`);
  const name = [alert.givenName, alert.familyName].filter(Boolean).join(' ');
  return {
    id: alert.id,
    unread: !alert.readAt,
    cells: [
      cell(alert.date, at('date')),
      name ? link(`/console/people/${alert.personId}`, name) : cell(undefined, at('familyName'), 'name not released'),
      cell(alert.type ? (LIFE_EVENT_WORDS[alert.type] ?? alert.type) : undefined, at('type')),
    ],
  };
}
