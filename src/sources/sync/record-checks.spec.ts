import { isValidNhsNumber, isValidNino, nhsCheckDigit } from '../identifiers';
import { contentHash, prepareRecord } from './record-checks';

describe('record checks before storage', () => {
  it('knows valid NINOs and NHS numbers', () => {
    expect(isValidNino('AB123456C')).toBe(true);
    for (const bad of ['DA123456C', 'AO123456C', 'GB123456A', 'TN123456A', 'AB12345C', 'AB123456E'])
      expect(isValidNino(bad)).toBe(false);
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(nhsCheckDigit('943476591')).toBe(9);
  });

  it('normalises identifier formats and withholds invalid ones as field issues, keeping the record', () => {
    const prepared = prepareRecord({
      sourceKey: 'k1',
      identity: { givenName: 'Ada', nino: 'ab 12 34 56 c', nhsNumber: '943 476 5918' },
      householdHints: [],
    });
    expect(prepared.demographics).toEqual({ givenName: 'Ada', nino: 'AB123456C' });
    expect(prepared.issues).toEqual([
      expect.objectContaining({ field: 'nhsNumber', code: 'invalid-nhs-number', value: '943 476 5918' }),
    ]);
    const bad = prepareRecord({ sourceKey: 'k2', identity: { nino: 'QQ123456C' }, householdHints: [] });
    expect(bad.demographics).toEqual({});
    expect(bad.issues).toEqual([
      expect.objectContaining({
        field: 'nino',
        code: 'invalid-nino',
        reason: 'nino: "QQ123456C" is not a valid National Insurance number',
      }),
    ]);
  });

  it('hashes the same content the same whatever the key order, and different content differently', () => {
    const a = contentHash({ givenName: 'Ada', familyName: 'King' }, [
      { groupKey: 'g', kind: 'tenancy', role: 'tenant' },
    ]);
    const b = contentHash({ familyName: 'King', givenName: 'Ada' }, [
      { role: 'tenant', kind: 'tenancy', groupKey: 'g' },
    ]);
    expect(a).toBe(b);
    expect(contentHash({ givenName: 'Ada', familyName: 'Kings' }, [])).not.toBe(
      contentHash({ givenName: 'Ada', familyName: 'King' }, []),
    );
  });
});
