import { buildComparisons, Comparison } from './comparisons';
import { prepareRecord } from './prepare';
import { IdentityFields } from '../../sources/identity-fields';

const comparisons = buildComparisons(['account']);
const byName = (name: string) => comparisons.find((c) => c.name === name) as Comparison;
const rec = (fields: IdentityFields) => prepareRecord({ source: 's', id: String(Math.random()), fields });

function levelOf(name: string, a: IdentityFields, b: IdentityFields): string {
  const c = byName(name);
  return c.levels[c.compare(rec(a), rec(b))];
}

describe('comparison levels', () => {
  it('given name: exact, nickname, fuzzy, swapped, phonetic, initial, different, null', () => {
    expect(levelOf('givenName', { givenName: 'ROBERT' }, { givenName: 'robert' })).toBe('exact');
    expect(levelOf('givenName', { givenName: 'Bob' }, { givenName: 'Robert' })).toBe('nickname or alias');
    expect(levelOf('givenName', { givenName: 'Peggy' }, { givenName: 'Margaret' })).toBe('nickname or alias');
    expect(levelOf('givenName', { givenName: 'John', middleNames: 'Paul' }, { givenName: 'Paul' })).toBe(
      'nickname or alias',
    );
    expect(levelOf('givenName', { givenName: 'Jonathon' }, { givenName: 'Jonathan' })).toBe('jaro-winkler >= 0.92');
    expect(
      levelOf('givenName', { givenName: 'Isla', familyName: 'Hall' }, { givenName: 'Hall', familyName: 'Isla' }),
    ).toBe('given and family names swapped');
    // A swap is one piece of evidence: the family-name comparison stands aside rather than count it twice.
    expect(
      levelOf('familyName', { givenName: 'Isla', familyName: 'Hall' }, { givenName: 'Hall', familyName: 'Isla' }),
    ).toBe('null');
    // One record holds a single name, which the other has in the other place: not counted as a different
    // name (the swap cannot be confirmed with a name missing, so the comparison stands aside).
    expect(levelOf('familyName', { familyName: 'Hnut' }, { givenName: 'Hunt', familyName: 'Jessica' })).toBe('null');
    expect(levelOf('givenName', { givenName: 'Jessica', familyName: 'Hunt' }, { givenName: 'Hunt' })).toBe('null');
    expect(levelOf('familyName', { familyName: 'Hunt' }, { givenName: 'Grace', familyName: 'Jessica' })).toBe(
      'different',
    );
    expect(
      levelOf('familyName', { givenName: 'Ann', familyName: 'Hunt' }, { givenName: 'Hunt', familyName: 'Lee' }),
    ).toBe('different');
    expect(levelOf('givenName', { givenName: 'Stephen' }, { givenName: 'Stevan' })).toBe('double metaphone');
    expect(levelOf('givenName', { givenName: 'J' }, { givenName: 'Jolene' })).toBe('initial');
    expect(levelOf('givenName', { givenName: 'Oliver' }, { givenName: 'Grace' })).toBe('different');
    expect(levelOf('givenName', { givenName: 'Oliver' }, {})).toBe('null');
  });

  it('given name: short-name slips are typos, not other names (one edit, letters swapped, same letters)', () => {
    expect(levelOf('givenName', { givenName: 'Kai' }, { givenName: 'Kia' })).toBe('typo: one edit or letters swapped');
    expect(levelOf('givenName', { givenName: 'Amy' }, { givenName: 'Any' })).toBe('typo: one edit or letters swapped');
    expect(levelOf('givenName', { givenName: 'Esme' }, { givenName: 'Eems' })).toBe(
      'typo: one edit or letters swapped',
    );
    expect(levelOf('givenName', { givenName: 'R0bert' }, { givenName: 'Robert' })).not.toBe('different');
    // Further apart than a slip: other names.
    expect(levelOf('givenName', { givenName: 'Esme' }, { givenName: 'Emma' })).not.toBe(
      'typo: one edit or letters swapped',
    );
    expect(levelOf('givenName', { givenName: 'Oliver' }, { givenName: 'Olivia' })).not.toBe(
      'typo: one edit or letters swapped',
    );
    expect(levelOf('familyName', { familyName: 'Fox' }, { familyName: 'Fxo' })).toBe(
      'typo: one edit or letters swapped',
    );
  });

  it('given name: a middle name used as the given name is an alias only when the other names fit', () => {
    const isabella = { givenName: 'Isabella', middleNames: 'Olivia' };
    expect(levelOf('givenName', isabella, { givenName: 'Olivia' })).toBe('nickname or alias');
    expect(levelOf('givenName', isabella, { givenName: 'Olivia', middleNames: 'Isabella' })).toBe('nickname or alias');
    expect(levelOf('givenName', isabella, { givenName: 'Olivia', middleNames: 'I' })).toBe('nickname or alias');
    expect(levelOf('givenName', isabella, { givenName: 'Olivia', middleNames: 'Victoria' })).toBe('different');
  });

  it('family name: exact, hyphenated part and previous name, fuzzy, phonetic, different', () => {
    expect(levelOf('familyName', { familyName: "O'Brien" }, { familyName: 'obrien' })).toBe('exact');
    expect(levelOf('familyName', { familyName: 'Smith-Jones' }, { familyName: 'Jones' })).toBe(
      'previous or hyphenated part',
    );
    expect(levelOf('familyName', { familyName: 'Bonham Carter' }, { familyName: 'Carter' })).toBe(
      'previous or hyphenated part',
    );
    expect(
      levelOf('familyName', { familyName: 'Taylor' }, { familyName: 'Brown', previousFamilyNames: ['Taylor'] }),
    ).toBe('previous or hyphenated part');
    expect(levelOf('familyName', { familyName: 'Harrington' }, { familyName: 'Harington' })).toBe(
      'jaro-winkler >= 0.92',
    );
    expect(levelOf('familyName', { familyName: 'Smith' }, { familyName: 'Schmidt' })).toBe('double metaphone');
    expect(levelOf('familyName', { familyName: 'Smith' }, { familyName: 'Patel' })).toBe('different');
  });

  it('date of birth: exact, day and month swapped, one component off, same year, different', () => {
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-24' }, { dateOfBirth: '1971-06-24' })).toBe('exact');
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-04' }, { dateOfBirth: '1971-04-06' })).toBe(
      'day and month swapped',
    );
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-24' }, { dateOfBirth: '1917-06-24' })).toBe(
      'one component off',
    );
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-24' }, { dateOfBirth: '1971-05-24' })).toBe(
      'one component off',
    );
    expect(levelOf('dateOfBirth', { dateOfBirth: '1972-07-12' }, { dateOfBirth: '2002-07-12' })).toBe('different');
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-24' }, { dateOfBirth: '1971-01-02' })).toBe('same year only');
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-06-24' }, { dateOfBirth: '1980-01-02' })).toBe('different');
    expect(levelOf('dateOfBirth', { dateOfBirth: '1971-02-30' }, { dateOfBirth: '1971-02-28' })).toBe('null');
  });

  it('NINO and NHS number: invalid values are missing; exact, one transposition, one edit, different', () => {
    expect(levelOf('nino', { nino: 'AB123456C' }, { nino: 'ab 12 34 56' })).toBe('exact');
    expect(levelOf('nino', { nino: 'AB123456C' }, { nino: 'AB124356C' })).toBe('one transposition');
    expect(levelOf('nino', { nino: 'AB123456C' }, { nino: 'AB123457C' })).toBe('one edit');
    expect(levelOf('nino', { nino: 'AB123456C' }, { nino: 'AB999999C' })).toBe('different');
    expect(levelOf('nino', { nino: 'ZZ123456C' }, { nino: 'ZZ123456C' })).toBe('null');
    expect(levelOf('nhsNumber', { nhsNumber: '9434765919' }, { nhsNumber: '943 476 5919' })).toBe('exact');
    expect(levelOf('nhsNumber', { nhsNumber: '9434765919' }, { nhsNumber: '9434765918' })).toBe('null');
  });

  it('address: UPRN, address and postcode, postcode levels, locality, different', () => {
    const home = { addressLines: ['12 High Street'], postcode: 'SW1A 2AA', locality: 'London' };
    expect(levelOf('address', { uprn: '0100023336956' }, { uprn: '100023336956' })).toBe('same UPRN');
    expect(levelOf('address', home, { addressLines: ['12 High St'], postcode: 'sw1a2aa' })).toBe(
      'same address and postcode',
    );
    expect(levelOf('address', home, { addressLines: ['12 High St'], postcode: 'SW1A 2AB' })).toBe('same address');
    expect(levelOf('address', { ...home, uprn: '1' }, { ...home, uprn: '2' })).toBe('same postcode');
    expect(levelOf('address', home, { postcode: 'SW1A 2AA' })).toBe('same postcode');
    expect(levelOf('address', home, { addressLines: ['9 Church Road'], locality: 'london' })).toBe('same locality');
    expect(levelOf('address', home, { addressLines: ['9 Church Road'], postcode: 'SW1A 9ZZ' })).toBe(
      'same postcode district or area, or similar locality',
    );
    expect(levelOf('address', { postcode: '4011' }, { postcode: '4012' })).toBe(
      'same postcode district or area, or similar locality',
    );
    expect(
      levelOf('address', home, { addressLines: ['9 Church Road'], postcode: 'M1 1AE', locality: 'Manchester' }),
    ).toBe('different');
    expect(levelOf('address', home, {})).toBe('null');
  });

  it('address: where the postcodes tell two places apart, the lines are not read, and never change the level', () => {
    // The address comparison skips the lines' similarity for postcodes in different areas, and for one area
    // with different localities: here, every other level stays reachable and those two never move with the lines.
    const home = { addressLines: ['12 High Street'], postcode: 'SW1A 2AA', locality: 'London' };
    const postcodes = ['SW1A 2AA', 'SW1A 2AB', 'SW1A 9ZZ', 'SW3 1AA', 'M1 1AE', undefined];
    const localities = ['London', 'Londn', 'Leeds', undefined];
    const uprns: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['1', '2'],
    ];
    const lines = [['12 High Street'], ['12 High St'], ['Flat 3, 9 Church Road'], undefined];
    const seen = new Set<string>();
    const apart: string[][] = [];
    for (const postcode of postcodes)
      for (const locality of localities)
        for (const [ua, ub] of uprns) {
          const levels = lines.map((addressLines) =>
            levelOf('address', { ...home, uprn: ua }, { addressLines, postcode, locality, uprn: ub }),
          );
          levels.forEach((level) => seen.add(level));
          if (postcode === 'M1 1AE' || (postcode === 'SW3 1AA' && locality === 'Leeds')) apart.push(levels);
        }
    // Different areas (4 localities), or one area and different localities, each with and without UPRNs.
    expect(apart).toHaveLength(10);
    expect(apart.filter((levels) => new Set(levels).size !== 1)).toEqual([]);
    const notReadingLines = ['same locality', 'same postcode district or area, or similar locality', 'different'];
    expect(apart.flat().filter((level) => !notReadingLines.includes(level))).toEqual([]);
    // One postcode area and a locality that does not differ: the lines still count (similar address).
    const sameLines = { addressLines: ['12 High Street'], locality: 'London' };
    expect(levelOf('address', home, { ...sameLines, postcode: 'SW3 1AA' })).toBe('similar address');
    expect(levelOf('address', home, { ...sameLines, postcode: 'M1 1AE' })).toBe('same locality');
    // The grid reaches the levels that do read the lines, so the skip is tested against them too.
    for (const level of ['same address and postcode', 'same address', 'same postcode', 'similar address'])
      expect(seen).toContain(level);
  });

  it('email, phone and free-named identifiers', () => {
    expect(levelOf('email', { email: 'A.B@x.com' }, { email: 'a.b@x.com' })).toBe('exact');
    expect(levelOf('email', { email: 'gabriel.t54@nichols.info' }, { email: 'gabriel.t54@gmail.com' })).toBe(
      'same local part',
    );
    expect(levelOf('email', { email: 'gabriel.t54@nichols.info' }, { email: 'gabriel.t54@nnichls.info' })).toBe(
      'typo: within two edits',
    );
    expect(levelOf('email', { email: 'evied56@harris-bailey.net' }, { email: 'evihd56@earris-bailey.net' })).toBe(
      'typo: within two edits',
    );
    // Malformed addresses are compared as text: a space, a lost dot, a doubled @.
    expect(levelOf('email', { email: 'jo smith@mail.com' }, { email: 'josmith@mail.com' })).toBe('exact');
    expect(levelOf('email', { email: 'josmith@mailcom' }, { email: 'josmith@mail.com' })).toBe(
      'typo: within two edits',
    );
    expect(levelOf('email', { email: 'jo@smith@mail.com' }, { email: 'josmith@mail.com' })).toBe(
      'typo: within two edits',
    );
    // Initials, or names alone, at two domains say little: their own level.
    expect(levelOf('email', { email: 'j.c@x.com' }, { email: 'j.c@y.org' })).toBe(
      'same initials or name as local part',
    );
    expect(
      levelOf('email', { givenName: 'Lina', familyName: 'Begum', email: 'lbegum@x.com' }, { email: 'lbegum@y.org' }),
    ).toBe('same initials or name as local part');
    // Digits are not slips to be forgiven twice: two people with name-built addresses.
    expect(levelOf('email', { email: 'ellapalmer5@mail.com' }, { email: 'ellapalmer38@mail.com' })).toBe('different');
    expect(levelOf('phone', { phone: '+44 7911 123456' }, { phone: '07911123456' })).toBe('exact');
    expect(levelOf('phone', { phone: '07911123456' }, { phone: '07911123465' })).toBe('one edit');
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT-1234' } }, { identifiers: { account: 'ct1234' } }),
    ).toBe('exact');
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT1234' } }, { identifiers: { account: 'CT1235' } }),
    ).toBe('one edit');
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT1234' } }, { identifiers: { account: 'CT1243' } }),
    ).toBe('one transposition');
    // Two slips (a swap and an edit; a shifted digit) are a level of their own for free-named identifiers;
    // two characters replaced in place are not (numbers issued in sequence differ so: siblings, accounts).
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT1234' } }, { identifiers: { account: 'CT9934' } }),
    ).toBe('different');
    expect(
      levelOf('identifier:account', { identifiers: { account: '2590578' } }, { identifiers: { account: '2597058' } }),
    ).toBe('two edits');
    expect(
      levelOf('identifier:account', { identifiers: { account: '6623862' } }, { identifiers: { account: '6633826' } }),
    ).toBe('two edits');
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT1234' } }, { identifiers: { account: 'CT9994' } }),
    ).toBe('different');
    // NINOs keep four levels: two valid NINOs two slips apart are different (a decisive negative).
    expect(levelOf('nino', { nino: 'AB123456C' }, { nino: 'AB129956C' })).toBe('different');
    expect(
      levelOf('identifier:account', { identifiers: { account: 'CT1234' } }, { identifiers: { other: 'CT1234' } }),
    ).toBe('null');
  });
});
