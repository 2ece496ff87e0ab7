import { addressTokens, tokenSimilarity } from './address';
import { normaliseEmail, normalisePhone } from './contact';
import { normaliseIdentifier, normaliseNhsNumber, normaliseNino, normaliseUprn } from './identifiers';
import { normaliseName, splitFullName } from './names';
import { nicknameGroups, shareNicknameGroup } from './nicknames';
import { normalisePostcode } from './postcodes';
import { foldText, isAdjacentTransposition, withinOneEdit } from './text';
import { distance } from 'fastest-levenshtein';

describe('text', () => {
  it('folds case, accents, apostrophes and punctuation', () => {
    expect(foldText("  Zoë O'Brien-Łukasz ")).toBe('zoe obrien lukasz');
    expect(foldText('Müller, Straße')).toBe('muller strasse');
  });

  it('recognises one adjacent transposition and one edit', () => {
    expect(isAdjacentTransposition('AB123456', 'AB124356')).toBe(true);
    expect(isAdjacentTransposition('AB123456', 'AB123465')).toBe(true);
    expect(isAdjacentTransposition('AB123456', 'AB123457')).toBe(false);
    expect(withinOneEdit('1234567', '1234568', distance)).toBe(true);
    expect(withinOneEdit('1234567', '123456', distance)).toBe(true);
    expect(withinOneEdit('1234567', '1243567', distance)).toBe(true);
    expect(withinOneEdit('1234567', '1244568', distance)).toBe(false);
  });
});

describe('names', () => {
  it('drops titles and records a generation suffix', () => {
    expect(normaliseName('Dr. Mary-Ann')).toEqual({ tokens: ['mary', 'ann'], key: 'maryann', generation: null });
    expect(normaliseName('Smith Jnr')).toEqual({ tokens: ['smith'], key: 'smith', generation: 'jr' });
    expect(normaliseName('  ')).toBeNull();
    expect(normaliseName('Mr')).toBeNull();
  });

  it('splits full names sensibly', () => {
    expect(splitFullName('Mrs Mary Ann Smith-Jones')).toEqual({
      givenName: 'Mary',
      middleNames: 'Ann',
      familyName: 'Smith-Jones',
    });
    expect(splitFullName('SMITH, John Paul')).toEqual({ familyName: 'SMITH', givenName: 'John', middleNames: 'Paul' });
    expect(splitFullName('Pieter van der Berg Jr')).toEqual({ givenName: 'Pieter', familyName: 'van der Berg Jr' });
    expect(splitFullName('Madonna')).toEqual({ familyName: 'Madonna' });
    expect(splitFullName('   ')).toEqual({});
  });

  it('knows common English diminutives', () => {
    const same = (a: string, b: string) => shareNicknameGroup(nicknameGroups(a), nicknameGroups(b));
    expect(same('bob', 'robert')).toBe(true);
    expect(same('peggy', 'margaret')).toBe(true);
    expect(same('bill', 'william')).toBe(true);
    expect(same('liz', 'elizabeth')).toBe(true);
    expect(same('al', 'alfred')).toBe(true);
    expect(same('bob', 'william')).toBe(false);
    expect(same('xyzzy', 'robert')).toBe(false);
  });
});

describe('identifiers', () => {
  it('validates NINO format and prefix rules and drops the suffix', () => {
    expect(normaliseNino('ab 12 34 56 c')).toBe('AB123456');
    expect(normaliseNino('AB123456')).toBe('AB123456');
    for (const bad of ['BG123456A', 'GB123456A', 'KN123456A', 'NK123456A', 'NT123456A', 'TN123456A', 'ZZ123456A'])
      expect(normaliseNino(bad)).toBeNull();
    for (const bad of ['DA123456A', 'FA123456A', 'IA123456A', 'QA123456A', 'UA123456A', 'VA123456A'])
      expect(normaliseNino(bad)).toBeNull();
    for (const bad of ['AD123456A', 'AO123456A', 'AQ123456A', 'AB123456E', 'AB12345', 'AB1234567'])
      expect(normaliseNino(bad)).toBeNull();
  });

  it('checks the NHS number modulus-11 check digit', () => {
    expect(normaliseNhsNumber('943 476 5919')).toBe('9434765919');
    expect(normaliseNhsNumber('9434765918')).toBeNull();
    expect(normaliseNhsNumber('4010232137')).toBe('4010232137');
    expect(normaliseNhsNumber('1111111111')).toBeNull();
    expect(normaliseNhsNumber('12345')).toBeNull();
  });

  it('normalises UPRNs and free-named identifiers', () => {
    expect(normaliseUprn('000100023336956')).toBe('100023336956');
    expect(normaliseUprn('1000233369561')).toBeNull();
    expect(normaliseUprn('0000')).toBeNull();
    expect(normaliseUprn('12a')).toBeNull();
    expect(normaliseIdentifier(' ct-123/45 ')).toBe('CT12345');
  });
});

describe('postcodes, contact details and addresses', () => {
  it('parses UK postcodes into sector, district and area; keeps others as they are', () => {
    expect(normalisePostcode('sw1a2aa')).toEqual({ full: 'SW1A 2AA', sector: 'SW1A 2', district: 'SW1', area: 'SW' });
    expect(normalisePostcode(' 4011 ')).toEqual({ full: '4011', sector: null, district: null, area: null });
    expect(normalisePostcode('')).toBeNull();
  });

  it('normalises emails and UK phone numbers', () => {
    expect(normaliseEmail(' Jo.Bloggs@Example.COM ')).toEqual({
      full: 'jo.bloggs@example.com',
      local: 'jo.bloggs',
      valid: true,
    });
    expect(normaliseEmail('not an email')).toBeNull();
    // Malformed but recognisable: kept as text, spaces removed, for comparison (not for deterministic rules).
    expect(normaliseEmail('jo bloggs@example.com')).toEqual({
      full: 'jobloggs@example.com',
      local: 'jobloggs',
      valid: true,
    });
    expect(normaliseEmail('jo.bloggs@examplecom')).toEqual({
      full: 'jo.bloggs@examplecom',
      local: 'jo.bloggs',
      valid: false,
    });
    expect(normaliseEmail('jo@bloggs@example.com')).toEqual({
      full: 'jo@bloggs@example.com',
      local: 'jo',
      valid: false,
    });
    expect(normalisePhone('+44 (0)7911 123456')).toBe('07911123456');
    expect(normalisePhone('07911 123456')).toBe('07911123456');
    expect(normalisePhone('0044 7911 123456')).toBe('07911123456');
    expect(normalisePhone('+1 555 123 4567')).toBe('+15551234567');
    expect(normalisePhone('123')).toBeNull();
  });

  it('tokenises addresses with standard abbreviations and scores weighted token similarity', () => {
    expect(addressTokens(['12 High St.', 'Flat 3'])).toEqual(['12', 'high', 'street', 'flat', '3']);
    const a = addressTokens(['12 Tullaroop Street']);
    const b = addressTokens(['12 Tullarop St']);
    const c = addressTokens(['14 Church Road']);
    const ones = (n: number) => Array.from({ length: n }, () => 1);
    expect(tokenSimilarity(a, ones(a.length), b, ones(b.length))).toBe(1);
    expect(tokenSimilarity(a, ones(a.length), c, ones(c.length))).toBe(0);
    // A rare token counts for more than a common one.
    const heavy = tokenSimilarity(
      ['12', 'tullaroop', 'street'],
      [1, 5, 0.1],
      ['14', 'tullaroop', 'street'],
      [1, 5, 0.1],
    );
    const light = tokenSimilarity(['12', 'tullaroop', 'street'], [1, 5, 0.1], ['12', 'church', 'street'], [1, 5, 0.1]);
    expect(heavy).toBeGreaterThan(light);
  });
});
