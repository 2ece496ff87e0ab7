import { Prng } from './prng';

/**
 * Requests that are wrong as HTTP or as GraphQL, for the fuzz suite: each with the statuses it may get (a
 * narrower expectation than "not a 5xx" where the hub's answer is known) and, where one is certain, the
 * error code. The suite adds a valid token, a purpose and a request id unless a case sets its own headers.
 */
export interface CorpusCase {
  label: string;
  method?: string;
  /** Defaults to `/graphql`. */
  path?: string;
  /** `undefined`: `application/json` when there is a body; `null`: no content type at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Statuses the answer may have; any 200 or 4xx when absent. */
  statuses?: number[];
  /** A code every error of the answer must have. */
  code?: string;
  /** A code no error of the answer may have. */
  notCode?: string;
}

export interface Limits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  /** The JSON body limit, in bytes. */
  maxBodyBytes: number;
}

const json = (value: unknown) => JSON.stringify(value);
const op = (query: string, extra: Record<string, unknown> = {}) => json({ query, ...extra });
const REFUSED = [400];
const PARSE = 'GRAPHQL_PARSE_FAILED';
const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';

/** Valid documents broken at seeded places: cut short, a brace added or dropped, a stray character. */
export function brokenDocuments(valid: readonly string[], rnd: Prng, count: number): CorpusCase[] {
  const strays = [
    '@',
    '$',
    '!',
    '&',
    '%',
    '#',
    '"',
    '\\',
    '\u0000',
    '\u00a0',
    '…',
    '{',
    '}',
    '(',
    ')',
    '[',
    ':',
    '...',
    '|',
    '=',
    '\u200b',
    '\ufffe',
  ];
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const document = rnd.pick(valid);
    // Breaks go between tokens, never inside a string argument, where they would be mere text.
    const at = rnd.pick(outsideStrings(document));
    switch (i % 4) {
      case 0:
        cases.push({ label: `truncated at ${at}`, body: op(document.slice(0, at)), statuses: REFUSED });
        break;
      case 1: {
        const brace = rnd.pick(['{', '}', '{{', '}}}', '(', ')']);
        cases.push({
          label: `unbalanced ${brace} at ${at}`,
          body: op(document.slice(0, at) + brace + document.slice(at)),
          statuses: REFUSED,
        });
        break;
      }
      case 2: {
        const braces = outsideStrings(document).filter((index) => '{}'.includes(document[index]));
        const drop = rnd.pick(braces);
        cases.push({
          label: `brace dropped at ${drop}`,
          body: op(document.slice(0, drop) + document.slice(drop + 1)),
          statuses: REFUSED,
        });
        break;
      }
      default: {
        // Some strays make another valid document (a `#` comments out the rest, `...` before a field name
        // is a fragment spread of that name, refused by validation): no status beyond the usual is expected.
        const stray = rnd.pick(strays);
        cases.push({
          label: `stray ${JSON.stringify(stray)} at ${at}`,
          body: op(document.slice(0, at) + stray + document.slice(at)),
        });
      }
    }
  }
  return cases;
}

/** Offsets in a document (from 1) that are not inside a string literal. */
function outsideStrings(document: string): number[] {
  const offsets: number[] = [];
  let inString = false;
  for (let i = 0; i < document.length; i++) {
    if (!inString && i > 0) offsets.push(i);
    if (document[i] === '\\' && inString) i++;
    else if (document[i] === '"') inString = !inString;
  }
  return offsets;
}

/** Invalid tokens and syntax that no valid document starts from. */
export function invalidSyntax(): CorpusCase[] {
  return [
    ['empty document', ''],
    ['only whitespace', ' \n\t '],
    ['only a comment', '# nothing here'],
    ['unterminated string', '{ person(id: "abc) { id } }'],
    ['unterminated block string', '{ person(id: """abc) { id } }'],
    ['bad escape', '{ person(id: "\\x41") { id } }'],
    ['short unicode escape', '{ person(id: "\\u12") { id } }'],
    ['lone surrogate escape', '{ person(id: "\\ud800") { id } }'],
    ['escaped nul', '{ person(id: "\\u0000") { id } }'],
    ['number as name', '{ 123 }'],
    ['bad number', '{ auditEvents(first: 1.2.3) { pageInfo { hasNextPage } } }'],
    ['leading zero', '{ auditEvents(first: 007) { pageInfo { hasNextPage } } }'],
    ['spread of nothing', '{ ... }'],
    ['dangling variable', 'query ($) { hubInfo { version } }'],
    ['double colon', '{ a::hubInfo { version } }'],
    ['keyword soup', 'query mutation subscription fragment on'],
    ['anonymous fragment', 'fragment on Query { hubInfo { version } }'],
    ['json instead of graphql', '{"hubInfo": {"version": true}}'],
    ['sql instead of graphql', "select * from person where id = '1' or '1'='1'"],
    ['html', '<html><script>alert(1)</script></html>'],
    ['nbsp between tokens', '{\u00a0hubInfo { version } }'],
    ['bom inside', '{ hub\ufeffInfo { version } }'],
    ['subscription', 'subscription { hubInfo { version } }'],
    ['schema definition', 'type Query { pwned: String }'],
    ['directive definition', 'directive @x on FIELD { hubInfo { version } }'],
  ].map(([label, query]) => ({ label, body: op(query), statuses: REFUSED }));
}

/** JSON bodies of the wrong shape, wrong content types and encodings, other methods, and GET. */
export function protocolCases(): CorpusCase[] {
  const get = (
    label: string,
    query: string,
    statuses?: number[],
    headers: Record<string, string> = { 'apollo-require-preflight': '1' },
  ): CorpusCase => ({
    label: `GET ${label}`,
    method: 'GET',
    path: `/graphql?${query}`,
    headers,
    statuses,
  });
  const version = encodeURIComponent('{ hubInfo { version } }');
  return [
    ...[
      ['body null', 'null'],
      ['body a string', '"{ hubInfo { version } }"'],
      ['body a number', '42'],
      ['body true', 'true'],
      ['empty object', '{}'],
      ['truncated json', '{"query": "{ hubInfo { version } }"'],
      ['trailing garbage', '{"query": "{ hubInfo { version } }"} x'],
      ['single quotes', "{'query': '{ hubInfo { version } }'}"],
      ['comments in json', '{/* x */"query": "{ hubInfo { version } }"}'],
      ['query a number', '{"query": 5}'],
      ['query null', '{"query": null}'],
      ['query an object', '{"query": {"$ne": ""}}'],
      ['query a list', '{"query": ["{ hubInfo { version } }"]}'],
      ['variables a string', '{"query": "{ hubInfo { version } }", "variables": "{}"}'],
      ['variables a list', '{"query": "{ hubInfo { version } }", "variables": []}'],
      ['variables a number', '{"query": "{ hubInfo { version } }", "variables": 1}'],
      ['operationName a number', '{"query": "{ hubInfo { version } }", "operationName": 7}'],
      ['operationName unknown', '{"query": "query A { hubInfo { version } }", "operationName": "B"}'],
      ['two operations, no name', '{"query": "query A { hubInfo { version } } query B { hubInfo { version } }"}'],
      ['extensions a string', '{"query": "{ hubInfo { version } }", "extensions": "x"}'],
      ['persisted query unknown hash', '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}'],
      ['persisted query wrong version', '{"extensions": {"persistedQuery": {"version": 99, "sha256Hash": "00"}}}'],
      [
        'persisted query hash mismatch',
        '{"query": "{ hubInfo { version } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
      ],
      [
        '__proto__ in variables',
        '{"query": "query ($id: ID!) { person(id: $id) { id } }", "variables": {"__proto__": {"id": "x"}}}',
      ],
      [
        'constructor in variables',
        '{"query": "query ($id: ID!) { person(id: $id) { id } }", "variables": {"constructor": {"prototype": {"id": "x"}}}}',
      ],
      ['duplicate keys', '{"query": "{ hubInfo { version } }", "query": "{ me { subject } }"}'],
      ['undeclared variable', '{"query": "{ person(id: $id) { id } }", "variables": {"id": "x"}}'],
      [
        'variable of the wrong type',
        '{"query": "query ($id: ID!) { person(id: $id) { id } }", "variables": {"id": {"a": 1}}}',
      ],
      [
        'variable a huge number',
        '{"query": "query ($n: Int) { auditEvents(first: $n) { pageInfo { hasNextPage } } }", "variables": {"n": 1e400}}',
      ],
    ].map(([label, body]): CorpusCase => ({ label, body, statuses: [200, 400] })),
    { label: 'text/plain', contentType: 'text/plain', body: op('{ hubInfo { version } }'), statuses: REFUSED },
    {
      label: 'form encoded',
      contentType: 'application/x-www-form-urlencoded',
      body: `query=${version}`,
      statuses: REFUSED,
    },
    {
      label: 'multipart',
      contentType: 'multipart/form-data; boundary=x',
      body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ hubInfo { version } }\r\n--x--\r\n',
      statuses: REFUSED,
    },
    {
      label: 'application/graphql',
      contentType: 'application/graphql',
      body: '{ hubInfo { version } }',
      statuses: REFUSED,
    },
    { label: 'no content type', contentType: null, body: op('{ hubInfo { version } }'), statuses: REFUSED },
    { label: 'xml', contentType: 'application/xml', body: '<query>{ hubInfo { version } }</query>', statuses: REFUSED },
    {
      label: 'json with utf-16 charset',
      contentType: 'application/json; charset=utf-16',
      body: op('{ hubInfo { version } }'),
      statuses: [400, 415],
    },
    {
      label: 'json with unknown charset',
      contentType: 'application/json; charset=x-unknown',
      body: op('{ hubInfo { version } }'),
      statuses: [415],
    },
    {
      label: 'gzip that is not gzip',
      headers: { 'content-encoding': 'gzip' },
      body: op('{ hubInfo { version } }'),
      statuses: [400],
    },
    {
      label: 'unknown content encoding',
      headers: { 'content-encoding': 'x-custom' },
      body: op('{ hubInfo { version } }'),
      statuses: [415],
    },
    { label: 'PUT', method: 'PUT', body: op('{ hubInfo { version } }'), statuses: [404, 405] },
    { label: 'PATCH', method: 'PATCH', body: op('{ hubInfo { version } }'), statuses: [404, 405] },
    { label: 'DELETE', method: 'DELETE', statuses: [400, 404, 405] },
    { label: 'OPTIONS', method: 'OPTIONS', statuses: [200, 204, 400, 404, 405] },
    get('without the CSRF preflight header', `query=${version}`, REFUSED, {}),
    get('a plain query', `query=${version}`, [200]),
    get('a mutation', `query=${encodeURIComponent('mutation { endCaseAssignment(id: "x") { id } }')}`, [400, 405]),
    get('no query', '', REFUSED),
    get('query twice', `query=${version}&query=${version}`, REFUSED),
    get('variables not json', `query=${version}&variables=%7B`, REFUSED),
    get('extensions not json', `query=${version}&extensions=%7B`, REFUSED),
    get('bad percent-encoding', 'query=%E0%A4%A', REFUSED),
    get('percent-encoded nul', `query=${version}%00`, REFUSED),
    get('an array parameter', `query[]=${version}`, REFUSED),
    get('an object parameter', `query[a]=${version}`, REFUSED),
    get(
      'variables __proto__',
      `query=${encodeURIComponent('query ($id: ID!) { person(id: $id) { id } }')}&variables=${encodeURIComponent('{"__proto__":{"id":"x"}}')}`,
      [200, 400],
    ),
  ];
}

/** Paths near `/graphql`: GraphQL answers at exactly that path (bootstrap.ts, not in Nest's testing module). */
export function pathCases(): CorpusCase[] {
  const body = op('{ hubInfo { version } }');
  return [
    { label: 'a path under /graphql', path: '/graphql/x', body, statuses: [404] },
    { label: 'a trailing slash', path: '/graphql/', body, statuses: [404] },
    { label: 'upper case', path: '/GRAPHQL', body, statuses: [404] },
    { label: 'dot segments', path: '/graphql/../graphql', body, statuses: [200, 400, 404] },
    { label: 'an encoded slash', path: '/graphql%2Fx', body, statuses: [404] },
    { label: 'an encoded nul', path: '/graphql%00', body, statuses: [400, 404] },
    { label: 'a bad percent-encoding', path: '/graphql%E0%A4%A', body, statuses: [400, 404] },
    { label: 'double slash', path: '//graphql', body, statuses: [404] },
  ];
}

/** Strings and bodies around the limits: the body parser's, the parser's token count. */
export function sizeCases(limits: Limits): CorpusCase[] {
  const padded = (bytes: number) => {
    const base = op('query ($x: String) { hubInfo { version } }', { variables: { x: '' } });
    return op('query ($x: String) { hubInfo { version } }', { variables: { x: 'a'.repeat(bytes - base.length) } });
  };
  // `{ __typename __typename … }`: the braces and one token a repetition (cheap: no cost, no depth).
  const tokensFor = (tokens: number) => `{ ${'__typename '.repeat(tokens - 2)}}`;
  return [
    { label: 'body just under the limit', body: padded(limits.maxBodyBytes - 100), statuses: [200, 400] },
    { label: 'body just over the limit', body: padded(limits.maxBodyBytes + 100), statuses: [413] },
    { label: 'body of 5 MB', body: padded(5_000_000), statuses: [413] },
    {
      label: 'a 90k string literal in the document',
      body: op(`{ person(id: "${'x'.repeat(90_000)}") { id } }`),
      statuses: [200, 400],
    },
    { label: 'a 90k comment', body: op(`# ${'c'.repeat(90_000)}\n{ hubInfo { version } }`), statuses: [200] },
    { label: 'a 90k operation name', body: op(`query ${'N'.repeat(90_000)} { hubInfo { version } }`), statuses: [200] },
    { label: 'a 90k alias', body: op(`{ ${'a'.repeat(90_000)}: __typename }`), statuses: [200] },
    // Parsed (whatever validation then makes of 2,000 fields): the token limit is exactly where parsing stops.
    { label: 'tokens at the limit', body: op(tokensFor(limits.maxTokens)), statuses: [200, 400], notCode: PARSE },
    { label: 'tokens just over the limit', body: op(tokensFor(limits.maxTokens + 1)), statuses: [400], code: PARSE },
    {
      label: 'aliases of __typename up to the token limit',
      body: op(
        `{ ${Array.from({ length: Math.floor((limits.maxTokens - 2) / 3) }, (_, i) => `a${i}: __typename`).join(' ')} }`,
      ),
      statuses: [200, 400],
    },
    {
      label: '5,000 unused variables',
      body: json({
        query: '{ hubInfo { version } }',
        variables: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`v${i}`, i])),
      }),
      statuses: [200, 400],
    },
    {
      label: 'a variable list of 10,000 items',
      body: json({
        query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
        variables: { r: Array.from({ length: 10_000 }, () => ({ __typename: 'Person', id: '1' })) },
      }),
      statuses: [400, 413],
    },
    {
      label: 'a URL of 20 kB',
      method: 'GET',
      path: `/graphql?query=${'a'.repeat(20_000)}`,
      headers: { 'apollo-require-preflight': '1' },
      statuses: [400, 414, 431],
    },
    {
      label: 'a header of 20 kB',
      headers: { 'x-case-reference': 'c'.repeat(20_000) },
      body: op('{ hubInfo { version } }'),
      statuses: [400, 431],
    },
  ];
}

/** Deep nesting, alias, directive and fragment bombs, fragment cycles. */
export function bombCases(limits: Limits, personId: string): CorpusCase[] {
  const nested = (levels: number) =>
    `{ person(id: "${personId}") { ${'household { members { person { '.repeat(levels)}id${' } } }'.repeat(levels)} } }`;
  const fragmentBomb = (levels: number, leaf: string, on: string, root: string) =>
    `${root.replace('$', '...F0')} ${Array.from({ length: levels }, (_, i) => `fragment F${i} on ${on} { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on ${on} { ${leaf} }`;
  const list = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
  return [
    {
      label: `nesting past the depth limit (${limits.maxDepth})`,
      body: op(nested(Math.ceil(limits.maxDepth / 3) + 1)),
      statuses: REFUSED,
      code: VALIDATION,
    },
    { label: 'nesting of 600 braces', body: op(`${'{ a '.repeat(600)}${'} '.repeat(600)}`), statuses: REFUSED },
    { label: 'a list literal nested 600 deep', body: op(`{ person(id: ${list(600)}) { id } }`), statuses: REFUSED },
    {
      label: 'an input object literal nested 300 deep',
      body: op(`{ searchPeople(input: ${'{ name: '.repeat(300)}"x"${' }'.repeat(300)}) { pageInfo { hasNextPage } } }`),
      statuses: REFUSED,
    },
    {
      label: 'a variable nested 5,000 lists deep',
      body: `{"query":"query ($id: ID!) { person(id: $id) { id } }","variables":{"id":${list(5_000)}}}`,
      statuses: REFUSED,
    },
    {
      label: 'a representation nested 5,000 objects deep',
      body: `{"query":"query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }","variables":{"r":[{"__typename":"Person","id":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}]}}`,
      statuses: REFUSED,
    },
    {
      label: 'json nested 100,000 deep',
      body: `{"query":"{ hubInfo { version } }","variables":{"x":${'['.repeat(40_000)}${']'.repeat(40_000)}}}`,
      statuses: [200, 400, 413],
    },
    {
      label: `aliases past the limit (${limits.maxAliases})`,
      body: op(
        `{ ${Array.from({ length: limits.maxAliases + 1 }, (_, i) => `a${i}: hubInfo { version }`).join(' ')} }`,
      ),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'aliases multiplied by fragments',
      body: op(
        `{ ...A ...A ...A ...A } fragment A on Query { ${Array.from({ length: limits.maxAliases }, (_, i) => `a${i}: hubInfo { version }`).join(' ')} }`,
      ),
      statuses: [200, 400],
    },
    {
      label: 'aliased _entities',
      body: op(
        `{ ${Array.from({ length: 10 }, (_, i) => `e${i}: _entities(representations: [{ __typename: "Person", id: "${personId}" }]) { __typename }`).join(' ')} }`,
      ),
      statuses: [200, 400],
    },
    {
      label: 'directives past the limit',
      body: op(`{ hubInfo { version ${'@include(if: true) '.repeat(60)}} }`),
      statuses: REFUSED,
    },
    { label: 'the same field 500 times', body: op(`{ hubInfo { ${'version '.repeat(500)}} }`), statuses: [200] },
    {
      label: 'fragment bomb, 2^40 spreads',
      body: op(fragmentBomb(40, 'hubInfo { version }', 'Query', '{ $ }')),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment bomb on a leaf type',
      body: op(fragmentBomb(20, 'version', 'HubInfo', '{ hubInfo { $ } }')),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment bomb through persons',
      body: op(fragmentBomb(16, 'id givenName', 'Person', `{ person(id: "${personId}") { $ } }`)),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment cycle, direct',
      body: op('{ ...A } fragment A on Query { ...A }'),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment cycle, through three',
      body: op(
        '{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { hubInfo { version } ...A }',
      ),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment cycle, inline',
      body: op('{ ...A } fragment A on Query { ... on Query { ... on Query { ...A } } }'),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment cycle, unused',
      body: op('{ hubInfo { version } } fragment A on Query { ...B } fragment B on Query { ...A }'),
      statuses: REFUSED,
      code: VALIDATION,
    },
    {
      label: 'fragment cycle, nested fields',
      body: op(
        `{ person(id: "${personId}") { ...P } } fragment P on Person { household { members { person { ...P } } } }`,
      ),
      statuses: REFUSED,
      code: VALIDATION,
    },
    { label: 'unknown fragment', body: op('{ ...Nope }'), statuses: REFUSED, code: VALIDATION },
    {
      label: 'introspection nested 6 deep',
      body: op(
        '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } } }',
      ),
      statuses: [200, 400],
    },
    {
      label: 'introspection ofType chain',
      body: op(`{ __schema { types { ${'ofType { '.repeat(100)}name${' }'.repeat(100)} } } }`),
      statuses: [200, 400],
    },
  ];
}

/** JSON arrays of operations: batching is off, so each is one refusal. */
export function batchCases(): CorpusCase[] {
  const one = { query: '{ hubInfo { version } }' };
  return [
    { label: 'a batch of two', body: json([one, one]), statuses: REFUSED },
    { label: 'an empty batch', body: '[]', statuses: REFUSED },
    { label: 'a batch of 2,000', body: json(Array.from({ length: 2_000 }, () => one)), statuses: REFUSED },
    {
      label: 'a batch of mutations',
      body: json([{ query: 'mutation { endCaseAssignment(id: "x") { id } }' }, one]),
      statuses: REFUSED,
    },
    { label: 'a batch of batches', body: json([[one], [[one]]]), statuses: REFUSED },
    { label: 'a batch of junk', body: json([null, 1, 'x', {}]), statuses: REFUSED },
  ];
}

/** Bytes that are not UTF-8, or are UTF-8 of what no document should hold. */
export function encodingCases(): CorpusCase[] {
  const around = (bytes: number[], where: 'document' | 'variable') =>
    where === 'document'
      ? Buffer.concat([Buffer.from('{"query":"{ person(id: \\"a'), Buffer.from(bytes), Buffer.from('b\\") { id } }"}')])
      : Buffer.concat([
          Buffer.from('{"query":"query ($id: ID!) { person(id: $id) { id } }","variables":{"id":"a'),
          Buffer.from(bytes),
          Buffer.from('b"}}'),
        ]);
  const sequences: [string, number[]][] = [
    ['0xFF', [0xff]],
    ['overlong slash', [0xc0, 0xaf]],
    ['overlong nul', [0xc0, 0x80]],
    ['three-byte overlong', [0xe0, 0x80, 0xaf]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['raw nul', [0x00]],
    ['raw escape', [0x1b]],
  ];
  return [
    ...sequences.flatMap(([label, bytes]) => [
      { label: `${label} in the document`, body: around(bytes, 'document'), statuses: [200, 400] },
      { label: `${label} in a variable`, body: around(bytes, 'variable'), statuses: [200, 400] },
    ]),
    {
      label: 'a byte order mark before the body',
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(op('{ hubInfo { version } }'))]),
      statuses: [200, 400],
    },
    {
      label: 'latin-1 body declared as utf-8',
      body: Buffer.from(op('{ person(id: "Zoë") { id } }'), 'latin1'),
      statuses: [200, 400],
    },
    {
      label: 'utf-16 body',
      contentType: 'application/json; charset=utf-16le',
      body: Buffer.from(op('{ hubInfo { version } }'), 'utf16le'),
      statuses: [200, 400, 415],
    },
  ];
}

/** The headers the hub reads, with hostile values (only what HTTP can carry: visible ASCII and Latin-1). */
export function headerCases(values: readonly string[]): CorpusCase[] {
  const query = op('{ me { subject } }');
  const cases: CorpusCase[] = [];
  for (const value of values) {
    for (const name of ['x-purpose', 'x-case-reference', 'x-break-glass', 'x-request-id', 'x-forwarded-for']) {
      cases.push({ label: `${name}: ${JSON.stringify(value.slice(0, 40))}`, headers: { [name]: value }, body: query });
    }
  }
  const jwt = (header: object, payload: object) =>
    `${Buffer.from(json(header)).toString('base64url')}.${Buffer.from(json(payload)).toString('base64url')}.`;
  for (const [label, authorization] of [
    ['no scheme', 'abc'],
    ['basic', 'Basic YWRtaW46YWRtaW4='],
    ['empty bearer', 'Bearer '],
    ['junk bearer', "Bearer ' OR 1=1 --"],
    ['three dots', 'Bearer ...'],
    ['alg none', `Bearer ${jwt({ alg: 'none' }, { sub: 'x', org: 'council', roles: ['admin'] })}`],
    ['header not json', `Bearer ${Buffer.from('{').toString('base64url')}.e30.`],
    ['kid traversal', `Bearer ${jwt({ alg: 'ES256', kid: '../../etc/passwd' }, { sub: 'x' })}x`],
    ['10 kB bearer', `Bearer ${'a'.repeat(10_000)}`],
  ]) {
    cases.push({ label: `authorization: ${label}`, headers: { authorization }, body: query, statuses: [401, 429] });
  }
  return cases;
}
