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
