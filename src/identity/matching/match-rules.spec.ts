import { buildComparisons } from './comparisons';
import { matchConfig } from './match-config';
import { MatchRules } from './match-rules';
import { prepareRecord } from './prepare';
import { IdentityFields } from '../../sources/identity-fields';

const comparisons = buildComparisons(['ref']);
const rec = (fields: IdentityFields) => prepareRecord({ source: 't', id: 'x', fields });

function check(a: IdentityFields, b: IdentityFields, personal: string[] = [], config = matchConfig()) {
  const rules = new MatchRules(config.rules, comparisons, personal);
  const ra = rec(a);
  const rb = rec(b);
  const levels = comparisons.map((c) => c.compare(ra, rb));
  return {
    hardNegatives: rules.hardNegatives(ra, rb, levels),
    deterministic: rules.deterministic(ra, rb),
    needsCorroboration: rules.needsCorroboration(ra, rb, levels),
  };
}

const home = { familyName: 'Patel', addressLines: ['4 Mill Lane'], postcode: 'LS6 2AB' };

describe('deterministic rules and hard negatives', () => {
  it('keeps twins apart: same date of birth and home, clearly different given names', () => {
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' },
      ).hardNegatives,
    ).toEqual(['twins: same date of birth, different given names']);
    expect(
      check(
        { ...home, givenName: 'Olivia', sex: 'F', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Oliver', sex: 'M', dateOfBirth: '2012-03-04' },
      ).hardNegatives,
    ).toHaveLength(1);
    // A nickname or a typo is not a different name.
    expect(
      check(
        { ...home, givenName: 'Robert', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Bob', dateOfBirth: '2012-03-04' },
      ).hardNegatives,
    ).toEqual([]);
  });

  it('keeps Sr and Jr apart: same name, births a generation apart, or different suffixes', () => {
    expect(
      check(
        { ...home, givenName: 'John', dateOfBirth: '1960-05-01' },
        { ...home, givenName: 'John', dateOfBirth: '1990-02-03' },
      ).hardNegatives,
    ).toEqual(['generations: same name, births a generation apart']);
    expect(
      check({ givenName: 'John', familyName: 'Patel Jr' }, { givenName: 'John', familyName: 'Patel Sr' }).hardNegatives,
    ).toEqual(['different generation suffix']);
    // A one-part slip in the date of birth is not a generation.
    expect(
      check(
        { ...home, givenName: 'John', dateOfBirth: '1960-05-01' },
        { ...home, givenName: 'John', dateOfBirth: '1990-05-01' },
      ).hardNegatives,
    ).toEqual([]);
  });

  it('keeps Sr and Jr apart when one of their names is mistyped', () => {
    const generations = ['generations: same name, births a generation apart'];
    expect(
      check(
        { ...home, givenName: 'Joshua', dateOfBirth: '1954-06-26' },
        { ...home, givenName: 'Joahua', dateOfBirth: '1975-08-02' },
      ).hardNegatives,
    ).toEqual(generations);
    expect(
      check(
        { ...home, givenName: 'Freddie', dateOfBirth: '1952-02-09' },
        { ...home, familyName: 'Pafel', givenName: 'Freddie', dateOfBirth: '1986-08-09' },
      ).hardNegatives,
    ).toEqual(generations);
    // Clearly different given names are not one name a generation apart (nor the same person).
    expect(
      check(
        { ...home, givenName: 'Joshua', dateOfBirth: '1954-06-26' },
        { ...home, givenName: 'Grace', dateOfBirth: '1975-08-02' },
      ).hardNegatives,
    ).toEqual([]);
  });

  it("keeps twins apart when one is given the other twin's name as a middle name", () => {
    const isabella = { ...home, givenName: 'Isabella', middleNames: 'Olivia', dateOfBirth: '2001-04-02' };
    expect(
      check(isabella, { ...home, givenName: 'Olivia', middleNames: 'Victoria', dateOfBirth: '2001-04-02' })
        .hardNegatives,
    ).toEqual(['twins: same date of birth, different given names']);
    // Known by her middle name, with no other name to contradict it, she is one person.
    expect(check(isabella, { ...home, givenName: 'Olivia', dateOfBirth: '2001-04-02' }).hardNegatives).toEqual([]);
  });

  it('treats two different valid NINOs or NHS numbers as different people', () => {
    expect(check({ nino: 'AB123456C' }, { nino: 'CE987654A' }).hardNegatives).toEqual(['different NINO']);
    expect(check({ nino: 'AB123456C' }, { nino: 'AB124356C' }).hardNegatives).toEqual([]);
    expect(check({ nhsNumber: '9434765919' }, { nhsNumber: '4010232137' }).hardNegatives).toEqual([
      'different NHS number',
    ]);
  });

  it('lets a shared personal identifier outweigh the twins and generation heuristics', () => {
    const a = { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04', nino: 'AB123456C' };
    const b = { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04', nino: 'AB123456C' };
    expect(check(a, b).hardNegatives).toEqual([]);
    const c = { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04', identifiers: { ref: '100234' } };
    expect(check(c, { ...c, givenName: 'Ravi' }, ['ref']).hardNegatives).toEqual([]);
    expect(check(c, { ...c, givenName: 'Ravi' }).hardNegatives).toHaveLength(1);
    // Consecutive numbers may be twins registered together.
    expect(check(c, { ...c, givenName: 'Ravi', identifiers: { ref: '100235' } }, ['ref']).hardNegatives).toHaveLength(
      1,
    );
  });

  it('applies configured deterministic rules only when every field is present and equal', () => {
    expect(
      check(
        { nhsNumber: '9434765919', dateOfBirth: '1970-01-01' },
        { nhsNumber: '9434765919', dateOfBirth: '1970-01-01' },
      ).deterministic,
    ).toBe('same NHS number and date of birth');
    expect(check({ nhsNumber: '9434765919' }, { nhsNumber: '9434765919' }).deterministic).toBeNull();
    const config = matchConfig({
      rules: { deterministic: [{ name: 'ref and surname', fields: ['identifier:ref', 'familyName'] }] },
    });
    expect(
      check(
        { familyName: 'Lee', identifiers: { ref: 'A1' } },
        { familyName: 'LEE', identifiers: { ref: 'a1' } },
        [],
        config,
      ).deterministic,
    ).toBe('ref and surname');
  });

  it('asks for corroboration before linking namesakes at one address when a date of birth is missing', () => {
    expect(
      check({ ...home, givenName: 'John' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' })
        .needsCorroboration,
    ).toBe(true);
    expect(
      check(
        { ...home, givenName: 'John', phone: '07911123456' },
        { ...home, givenName: 'John', dateOfBirth: '1990-02-03', phone: '07911 123456' },
      ).needsCorroboration,
    ).toBe(false);
  });

  it('asks for corroboration at one address whenever the dates of birth do not confirm a pair, whatever the given names', () => {
    // A father's record with a NINO and no date of birth, his son's with a date of birth, email and phone but
    // no NINO, and a given name mistyped on one: only the household's surname and address agree.
    const father = { ...home, givenName: 'Davd', nino: 'AB123456C' };
    const son = {
      ...home,
      givenName: 'Dave',
      dateOfBirth: '2004-03-10',
      email: 'dave.patel@example.org',
      phone: '07911123456',
    };
    expect(check(father, son).needsCorroboration).toBe(true);
    // Given names only phonetically alike; dates of birth in one year but two parts apart; a surname typo.
    expect(
      check({ ...home, givenName: 'Thomas' }, { ...home, givenName: 'Tomasz', dateOfBirth: '2021-10-24' })
        .needsCorroboration,
    ).toBe(true);
    expect(
      check(
        { ...home, givenName: 'Megan', dateOfBirth: '2015-08-07' },
        { ...home, givenName: 'Megan', dateOfBirth: '2015-05-17' },
      ).needsCorroboration,
    ).toBe(true);
    expect(
      check(
        { ...home, givenName: 'Arthur' },
        { ...home, familyName: 'Pafel', givenName: 'Arthur', dateOfBirth: '1990-08-15' },
      ).needsCorroboration,
    ).toBe(true);
    // One keystroke apart, but a generation: a son born on his father's birthday is no rarer than that slip.
    expect(
      check(
        { ...home, givenName: 'Jack', dateOfBirth: '1960-11-18' },
        { ...home, givenName: 'Jack', dateOfBirth: '1990-11-18' },
      ).needsCorroboration,
    ).toBe(true);
    // A date of birth that agrees, or is one slip off, confirms the pair; so does a shared phone or NINO.
    expect(
      check(
        { ...home, givenName: 'Megan', dateOfBirth: '2015-08-07' },
        { ...home, givenName: 'Megan', dateOfBirth: '2015-08-17' },
      ).needsCorroboration,
    ).toBe(false);
    expect(check({ ...father, phone: '07911 123456' }, son).needsCorroboration).toBe(false);
    expect(check(father, { ...son, nino: 'AB 12 34 56 C' }).needsCorroboration).toBe(false);
    // Away from the household's address it is not a household question.
    expect(check({ ...father, addressLines: ['12 Elm Road'], postcode: 'M3 3AP' }, son).needsCorroboration).toBe(false);
  });

  it('can switch hard negatives off by configuration', () => {
    const config = matchConfig({ rules: { hardNegatives: { twins: false } } });
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' },
        [],
        config,
      ).hardNegatives,
    ).toEqual([]);
    expect(() => matchConfig({ thresholds: { autoLink: 0.5, review: 0.9 } })).toThrow(
      'review threshold must not exceed autoLink',
    );
  });
});
