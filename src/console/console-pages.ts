import { LIVE_SOURCES } from '../single-view/field-refs';
import { CATEGORY_FIELDS, SERVICE_CATEGORIES } from '../single-view/models/service-records.model';
import { ApiError, otherErrors, Withheld } from './hub-api';
import { cell, label, link, row } from './console-cells';

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
    members { role validFrom validTo current person { id givenName familyName dateOfBirth ${servicesSelection} } }
  }
}`;

export const SEARCH_QUERY = `query ConsoleSearch($input: SearchPeopleInput!) {
  searchPeople(input: $input) {
    edges { cursor score person { id givenName familyName dateOfBirth postcode holdingTeams } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CASELOAD_QUERY = `query ConsoleCaseload { myCaseload { id subjectKind subjectId team userSubject validFrom } }`;

export const CASELOAD_HOUSEHOLD_QUERY = `query ConsoleCaseloadHousehold($id: ID!) {
  household(id: $id) { id addressLines postcode members { current person { id givenName familyName ${servicesSelection} } } }
}`;

export const CASELOAD_PERSON_QUERY = `query ConsoleCaseloadPerson($id: ID!) {
  person(id: $id) { id givenName familyName dateOfBirth ${servicesSelection} }
}`;

export const PURPOSES_QUERY = `query ConsolePurposes { purposes { code name description active } me { subject organisation roles team } }`;

type Json = Record<string, unknown>;
const SOURCE_NAMES: Record<string, string> = { housing: 'Housing', benefits: 'Benefits', socialCare: 'Social care' };
const sourceName = (field: string) => SOURCE_NAMES[field] ?? label(field);

/** Outage banners: a source that did not answer, in the hub's words, by source. */
export function outages(errors: readonly ApiError[]): string[] {
  return otherErrors(errors)
    .filter((error) => (error.extensions?.code ?? '').startsWith('SOURCE_'))
    .map((error) => `${sourceName(String(error.path?.at(-1) ?? 'A source'))}: ${error.message}`);
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
  const unavailable = new Map(
    otherErrors(errors)
      .filter((error) => error.path && error.path.length === 2 && (error.extensions?.code ?? '').startsWith('SOURCE_'))
      .map((error) => [String(error.path![1]), error.message]),
  );
  return {
    name: fullName(p),
    identityRows: identity.map(([key, field]) => row(key, p[field], w(field))),
    serviceRows: sourceFields.map(([field]) =>
      row(sourceName(field), services[field], withheld.get(`person.services.${field}`) ?? w('services'), 'not known'),
    ),
    sections: sourceFields.map(([field, source]) => {
      const records = (p[field] ?? null) as Json | null;
      return {
        title: sourceName(field),
        withheld: w(field),
        unavailable: unavailable.get(field),
        lists: categoryLists(source).map(([list, category]) => {
          const fields = categoryFields(source, category);
          const items = ((records?.[list] as Json[] | null) ?? []) as Json[];
          return {
            title: label(list),
            withheld: withheld.get(`person.${field}.${list}`),
            head: fields.map((name) => ({ text: label(name) })),
            rows: items.map((item, index) =>
              fields.map((name) => cell(item[name], withheld.get(`person.${field}.${list}.${index}.${name}`))),
            ),
          };
        }),
      };
    }),
  };
}

export function householdPage(h: Json, withheld: Withheld) {
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
        cell(member.role, at('role')),
        cell(member.validFrom, at('validFrom')),
        cell(member.current ? 'now' : member.validTo, at('validTo')),
        cell(involved, at('person.services'), 'none known'),
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
  const since = cell(String(assignment.validFrom).slice(0, 10));
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
    cell(
      subject?.dateOfBirth ? `born ${String(subject.dateOfBirth)}` : null,
      withheld.get('person.dateOfBirth'),
      'one person',
    ),
    cell(servicesOf([subject]), withheld.get('person.services'), 'none known'),
    cell(holder),
    since,
  ];
}
