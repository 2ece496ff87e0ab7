import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { ConfigError } from '../config/config';
import { addTypenameToDocument, print as apolloPrint } from '@apollo/client/utilities';
import { apolloClientText, isAllowed, loadPersistedQueryLists, normalisedText, sha256 } from './persisted-queries';

const dir = mkdtempSync(join(tmpdir(), 'pq-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const fsm = 'query Fsm($id: ID!) { checkEligibility(personId: $id, check: FREE_SCHOOL_MEALS) { result ruleVersion } }';
const info = '{ hubInfo { version } }';

describe('persisted-query allow-lists', () => {
  const lists = loadPersistedQueryLists(
    file('ok.json', { clients: { 'school-mis': [fsm, `sha256:${sha256(info)}`], locked: [] } }),
  );

  it('allows a listed document by the hash of its exact text (the APQ hash) and keeps its text for hash-only requests', () => {
    const list = lists.get('school-mis')!;
    expect(isAllowed(list, sha256(fsm), parse(fsm))).toBe(true);
    expect(list.documents.get(sha256(fsm))).toBe(fsm);
  });

  it('allows the same operation however it is laid out or commented', () => {
    const relaid = `# from the school MIS\nquery Fsm($id: ID!) {\n  checkEligibility(personId: $id, check: FREE_SCHOOL_MEALS) {\n    result\n    ruleVersion\n  }\n}\n`;
    expect(isAllowed(lists.get('school-mis')!, sha256(relaid), parse(relaid))).toBe(true);
  });

  // Apollo Client sends (and hashes) its own printing of the document, with __typename in every selection set.
  it('allows the same operation with __typename added, and serves its normal form from the hash of that form', () => {
    const list = lists.get('school-mis')!;
    const withTypename =
      'query Fsm($id: ID!) {\n  checkEligibility(personId: $id, check: FREE_SCHOOL_MEALS) {\n    result\n    ruleVersion\n    __typename\n  }\n}';
    expect(isAllowed(list, sha256(withTypename), parse(withTypename))).toBe(true);
    const normal = normalisedText(parse(withTypename));
    expect(normal).not.toContain('__typename');
    expect(list.documents.get(sha256(normal))).toBe(normal);
    // Only __typename is ignored: another field added is another operation.
    const more =
      'query Fsm($id: ID!) { checkEligibility(personId: $id, check: FREE_SCHOOL_MEALS) { result ruleVersion rule __typename } }';
    expect(isAllowed(list, sha256(more), parse(more))).toBe(false);
  });

  // Apollo Client's persisted-query link first sends only the hash of its own printing (issue #14, finding 9):
  // the hub knows that hash from the start, so a listed operation is found at the first request.
  it.each([
    ['a flat query', fsm],
    ['the root left alone, nested sets typed', '{ me { subject organisation } hubInfo { version } }'],
    [
      'fragments and inline fragments',
      'query P($id: ID!) { person(id: $id) { ...Who ... on Person { household { id postcode } } } } fragment Who on Person { id givenName }',
    ],
    ['a set that already asks for __typename', 'query { person(id: "1") { __typename id givenName } }'],
    ['an exported set', 'query { person(id: "1") @export(as: "p") { id } hubInfo { version } }'],
  ])('knows the hash Apollo Client sends for %s', (_name, text) => {
    const client = apolloPrint(addTypenameToDocument(parse(text)));
    expect(apolloClientText(parse(text))).toBe(client);
    const list = loadPersistedQueryLists(file(`apollo-${sha256(text)}.json`, { clients: { crm: [text] } })).get('crm')!;
    expect(list.documents.get(sha256(client))).toBe(client);
    expect(isAllowed(list, sha256(client), parse(client))).toBe(true);
  });

  it('allows an entry given only as a hash, and refuses anything else', () => {
    const list = lists.get('school-mis')!;
    expect(isAllowed(list, sha256(info), parse(info))).toBe(true);
    const other =
      'query Fsm($id: ID!) { checkEligibility(personId: $id, check: COUNCIL_TAX_REDUCTION) { result ruleVersion } }';
    expect(isAllowed(list, sha256(other), parse(other))).toBe(false);
    expect(isAllowed(lists.get('locked')!, sha256(info), parse(info))).toBe(false);
  });

  it('refuses a bad file with one line naming the file, the client and the entry', () => {
    expect(() => loadPersistedQueryLists(join(dir, 'missing.json'))).toThrow(
      /Invalid persisted queries \(.*missing\.json\): file not found/,
    );
    expect(() => loadPersistedQueryLists(file('bad-json.json', '{'))).toThrow(ConfigError);
    expect(() => loadPersistedQueryLists(file('bad-shape.json', { clients: { a: 'x' } }))).toThrow(/clients\.a/);
    expect(() =>
      loadPersistedQueryLists(file('bad-doc.json', { clients: { 'school-mis': [info, '{ hubInfo { '] } })),
    ).toThrow(/clients\.school-mis\[1\] is neither a GraphQL document nor a SHA-256 hash \(Syntax Error/);
    expect(() => loadPersistedQueryLists(file('extra.json', { clients: {}, other: 1 }))).toThrow(ConfigError);
  });
});
