import { canonicalJson, contentHash, GENESIS_HASH, headerHash, sha256Hex } from './audit-hash';

describe('audit hashing', () => {
  it('serialises canonically (RFC 8785): sorted keys, ECMAScript numbers, minimal escapes', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'é"\n', n: 1e21, m: 0.000001, f: 1.5 })).toBe(
      '{"a":"é\\"\\n","b":[3,{"a":null,"z":1}],"f":1.5,"m":0.000001,"n":1e+21}',
    );
    // The RFC's own example of number forms.
    expect(canonicalJson([333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27]',
    );
  });

  it('hashes the same content the same whatever its key order', () => {
    expect(contentHash({ a: 1, b: [1, 2] })).toBe(contentHash({ b: [1, 2], a: 1 }));
    expect(contentHash({ a: 1, b: [1, 2] })).not.toBe(contentHash({ a: 1, b: [2, 1] }));
  });

  it('builds the header hash over the exact text the database function builds', () => {
    const header = {
      seq: 12,
      prev: GENESIS_HASH,
      at: '2025-03-01T09:30:00.123Z',
      op: 'person.view',
      content: 'a'.repeat(64),
    };
    const text = `{"at":"2025-03-01T09:30:00.123Z","content":"${'a'.repeat(64)}","op":"person.view","prev":"${GENESIS_HASH}","seq":12,"v":1}`;
    expect(headerHash(header)).toBe(sha256Hex(text));
    expect(headerHash({ ...header, seq: 13 })).not.toBe(headerHash(header));
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson(undefined)).toThrow('value has no JSON form');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
  });
});
