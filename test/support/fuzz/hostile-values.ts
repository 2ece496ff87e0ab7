/**
 * What the fuzz suite puts into arguments: strings an attacker or a broken client sends, by kind, so a
 * failure names the kind. None of them may look like a leak itself (a stack frame, a file path, a
 * PostgreSQL message): error messages may echo a value back, and the leak check must not trip on the echo
 * (test/support/fuzz/response-checks.ts; the suite checks this of every value).
 */
export interface HostileValue {
  kind: 'sql' | 'json' | 'unicode' | 'huge' | 'injection' | 'id';
  label: string;
  value: string;
}

const sql: [string, string][] = [
  ['quote', "'"],
  ['drop table', "'; drop table audit_event; --"],
  ['tautology', "' OR '1'='1"],
  ['double-quote tautology', '" OR ""="'],
  ['sleep', "1' AND (select 1 from pg_sleep(5)) IS NULL --"],
  ['stacked sleep', '1; commit; select pg_sleep(5); --'],
  ['backslash quote', "\\'; select 1; --"],
  ['like wildcards', '%_%'],
  ['lone backslash', '\\'],
  ['placeholder', '$1'],
  ['dollar quote', '$$; delete from person; $$'],
  ['escape string', "E'\\x00'"],
  ['uuid then tautology', "00000000-0000-4000-8000-000000000000' OR 1=1 --"],
  ['cast', "x'::uuid; --"],
  ['union', "' UNION SELECT subject, organisation FROM audit_event --"],
  ['closing paren', "') OR ('a'='a"],
  ['comment', '/* */--'],
  ['array literal', '{1,2,3}'],
  ['regex', '.*(a+)+$'],
];

const json: [string, string][] = [
  ['proto object', '{"__proto__":{"polluted":true}}'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['mongo operator', '{"$ne":null}'],
  ['closing brackets', '"}]}'],
  ['escaped nul text', '\\u0000'],
  ['object text', '[object Object]'],
  ['null text', 'null'],
  ['undefined text', 'undefined'],
  ['NaN text', 'NaN'],
  ['infinite number text', '-1e309'],
  ['truncated json', '{"a":'],
  ['json path', '$.persons[*]'],
  ['jsonb operator', "'{}'::jsonb ? 'a'"],
];

const unicode: [string, string][] = [
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', '\udc00'],
  ['reversed surrogates', '\udc00\ud800'],
  ['bidi override', 'abc\u202edcba'],
  ['bidi isolate', '\u2066x\u2069'],
  ['zero-width', 'Smi\u200bth\u200c\u200d\ufeff'],
  ['nul', 'a\u0000b'],
  ['C1 control', 'a\u0085b'],
  ['DEL', 'a\u007fb'],
  ['escape sequence', '\u001b[2J'],
  ['line separators', 'a\u2028b\u2029c'],
  ['line break', 'a\r\nX-Injected: 1'],
  ['combining storm', `a${'\u0301'.repeat(500)}`],
  ['astral', '😀𝕏𐍈'],
  ['replacement and non-characters', '\ufffd\uffff\ufdd0\ufffe'],
  ['right-to-left script', 'مرحبا بالعالم'],
  ['fullwidth tautology', '＇ ＯＲ １＝１'],
  ['decoded overlong', '\u00c0\u0080\u00e0\u0080\u00af'],
  ['percent escapes', '%00%27%22%0a'],
  ['html entity', '&#0;&#x202e;'],
];

/** Prose that passes every "say something" rule, so only a length limit can stop it. */
const prose = (length: number) => {
  const sentence =
    'The resident asked the council to review every record shared with partner agencies since the spring. ';
  return sentence
    .repeat(Math.ceil(length / sentence.length))
    .slice(0, length)
    .trim();
};

const huge: [string, string][] = [
  ['1.5k prose', prose(1_500)],
  ['2.5k prose', prose(2_500)],
  ['12k prose', prose(12_000)],
  ['10k ascii', 'A'.repeat(10_000)],
  ['20k two-byte', 'é'.repeat(20_000)],
  ['60k ascii', 'x'.repeat(60_000)],
  ['5k quotes', "'".repeat(5_000)],
];

const injection: [string, string][] = [
  ['dot segments', '../../etc/passwd'],
  ['template', '${jndi:ldap://127.0.0.1/a}{{7*7}}'],
  ['markup', '<script>alert(1)</script>'],
  ['format', '%s%s%s%n'],
  ['cursor-like base64', Buffer.from('{"id":"00000000-0000-4000-8000-000000000000","seq":-1}').toString('base64')],
  ['url-safe base64 junk', 'AAAA____----'],
];

const ids: [string, string][] = [
  ['empty', ''],
  ['spaces', '   '],
  ['unknown uuid', '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['upper-case uuid', '6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D'],
  ['uuid with spaces', ' 6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d '],
  ['not a uuid', 'not-a-uuid'],
  ['number', '12345678901234567890'],
  ['negative', '-1'],
];

const of = (kind: HostileValue['kind'], list: [string, string][]): HostileValue[] =>
  list.map(([label, value]) => ({ kind, label, value }));

export const HOSTILE_STRINGS: readonly HostileValue[] = [
  ...of('sql', sql),
  ...of('json', json),
  ...of('unicode', unicode),
  ...of('huge', huge),
  ...of('injection', injection),
  ...of('id', ids),
];

/** For Int arguments and fields: the edges of GraphQL's 32-bit Int, and the values pagination gets wrong. */
export const HOSTILE_INTS: readonly number[] = [0, -1, -2_147_483_648, 2_147_483_647, 1_000_000];
/** For Float arguments: extremes JSON can carry. */
export const HOSTILE_FLOATS: readonly number[] = [0, -0, 1e308, -1e308, 5e-324, -1];
/** For DateTime arguments: the edges of what JavaScript and PostgreSQL hold, and dates that do not exist. */
export const HOSTILE_DATES: readonly string[] = [
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '-004714-01-01T00:00:00.000Z',
  '2024-02-30T00:00:00Z',
  '2024-01-01T25:61:61Z',
  '1970-01-01',
];
