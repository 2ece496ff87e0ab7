import { buildComparisons } from './comparisons';
import { matchConfig } from './match-config';
import { MatchRules } from './match-rules';
import { prepareRecord } from './prepare';
import { IdentityFields } from '../../sources/identity-fields';

const comparisons = buildComparisons(['ref']);
const rec = (fields: IdentityFields) => prepareRecord({ source: 't', id: 'x', fields });

function check(a: IdentityFields, b: IdentityFields, config = matchConfig()) {
  const rules = new MatchRules(config.rules, comparisons);
  const ra = rec(a);
  const rb = rec(b);
  const levels = comparisons.map((c) => c.compare(ra, rb));
  return {
    hardNegatives: rules.hardNegatives(ra, rb, levels),
    deterministic: rules.deterministic(ra, rb),
    household: rules.householdPattern(ra, rb, levels),
  };
}

const home = { familyName: 'Patel', addressLines: ['4 Mill Lane'], postcode: 'LS6 2AB' };
const TWINS = 'twins at one home: same date of birth, different given names';
const TWINS_ELSEWHERE = 'twins: same date of birth, different given names';

describe('deterministic rules, decisive hard negatives and household patterns', () => {
  it('treats two valid NINOs or NHS numbers more than one slip apart as decisive, a slip as evidence', () => {
    expect(check({ nino: 'AB123456C' }, { nino: 'CE987654A' }).hardNegatives).toEqual(['different NINO']);
    expect(check({ nino: 'AB123456C' }, { nino: 'AB124356C' }).hardNegatives).toEqual([]);
    expect(check({ nino: 'AB123456C' }, { nino: 'AB123457C' }).hardNegatives).toEqual([]);
    expect(check({ nhsNumber: '9434765919' }, { nhsNumber: '4010232137' }).hardNegatives).toEqual([
      'different NHS number',
    ]);
    expect(
      check({ givenName: 'John', familyName: 'Patel Jr' }, { givenName: 'John', familyName: 'Patel Sr' }).hardNegatives,
    ).toEqual(['different generation suffix']);
  });

  it('sees twins: one family, the same date of birth (or a slip of it), given names beyond a typo', () => {
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' },
      ).household,
    ).toBe(TWINS);
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-04-03' },
      ).household,
    ).toBe(TWINS);
    expect(
      check(
        { familyName: 'Patel', givenName: 'Oliver', dateOfBirth: '2012-03-04' },
        { familyName: 'Patel', givenName: 'Olivia', dateOfBirth: '2012-03-04' },
      ).household,
    ).toBe(TWINS_ELSEWHERE);
    // A typing slip, a nickname or an initial is not another name: no twins signal (kai / kia, esme / eems).
    expect(
      check(
        { ...home, givenName: 'Kai', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Kia', dateOfBirth: '2012-03-04' },
      ).household,
    ).toBeNull();
    expect(
      check(
        { ...home, givenName: 'Esme', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Eems', dateOfBirth: '2012-03-04' },
      ).household,
    ).toBeNull();
    expect(
      check(
        { ...home, givenName: 'Robert', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Bob', dateOfBirth: '2012-03-04' },
      ).household,
    ).toBeNull();
    // Twins are evidence to be weighed, never a veto.
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' },
      ).hardNegatives,
    ).toEqual([]);
  });

  it("sees twins when one is given the other twin's name as a middle name", () => {
    const isabella = { ...home, givenName: 'Isabella', middleNames: 'Olivia', dateOfBirth: '2001-04-02' };
    expect(
      check(isabella, { ...home, givenName: 'Olivia', middleNames: 'Victoria', dateOfBirth: '2001-04-02' }).household,
    ).toBe(TWINS);
    expect(check(isabella, { ...home, givenName: 'Olivia', dateOfBirth: '2001-04-02' }).household).toBeNull();
  });

  it('sees namesakes and missing fields at one home, whatever the given names or a typo in them', () => {
    const namesakes = 'namesakes at one home: dates of birth differ';
    expect(
      check(
        { ...home, givenName: 'John', dateOfBirth: '1960-05-01' },
        { ...home, givenName: 'John', dateOfBirth: '1990-02-03' },
      ).household,
    ).toBe(namesakes);
    // One keystroke apart, but a generation: a namesake at one home, not a slip.
    expect(
      check(
        { ...home, givenName: 'Jack', dateOfBirth: '1960-11-18' },
        { ...home, givenName: 'Jack', dateOfBirth: '1990-11-18' },
      ).household,
    ).toBe(namesakes);
    expect(
      check(
        { ...home, givenName: 'Joshua', dateOfBirth: '1954-06-26' },
        { ...home, givenName: 'Joahua', dateOfBirth: '1975-08-02' },
      ).household,
    ).toBe(namesakes);
    // Names written the other way round on one side are still the same names.
    expect(
      check(
        { ...home, givenName: 'Omar', familyName: 'Hunt', dateOfBirth: '1964-02-20' },
        { ...home, givenName: 'Hunt', familyName: 'Omar', dateOfBirth: '1989-01-15' },
      ).household,
    ).toBe(namesakes);
    expect(
      check({ ...home, givenName: 'John' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' }).household,
    ).toBe('at one home: a date of birth missing');
    expect(
      check({ ...home, dateOfBirth: '1990-02-03' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' })
        .household,
    ).toBe('at one home: a given name missing');
    expect(
      check({ ...home, dateOfBirth: '1970-02-03' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' })
        .household,
    ).toBe('at one home: a given name missing, dates of birth differ');
    expect(check({ ...home }, { ...home, givenName: 'John' }).household).toBe(
      'at one home: no given name or date of birth to compare',
    );
    // A date of birth that agrees, or is one slip off, makes no pattern; nor does another home.
    expect(
      check(
        { ...home, givenName: 'Megan', dateOfBirth: '2015-08-07' },
        { ...home, givenName: 'Megan', dateOfBirth: '2015-08-17' },
      ).household,
    ).toBeNull();
    expect(
      check(
        { ...home, givenName: 'John' },
        {
          familyName: 'Patel',
          addressLines: ['12 Elm Road'],
          postcode: 'M3 3AP',
          givenName: 'John',
          dateOfBirth: '1990-02-03',
        },
      ).household,
    ).toBeNull();
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
        config,
      ).deterministic,
    ).toBe('ref and surname');
    // A malformed email is compared as text, never used by a deterministic rule.
    const email = matchConfig({
      rules: { deterministic: [{ name: 'email and surname', fields: ['email', 'familyName'] }] },
    });
    expect(
      check({ familyName: 'Lee', email: 'lee@mailcom' }, { familyName: 'Lee', email: 'lee@mailcom' }, email)
        .deterministic,
    ).toBeNull();
  });

  it('can switch the checks off by configuration', () => {
    const config = matchConfig({ rules: { hardNegatives: { twins: false, differentNino: false } } });
    expect(
      check(
        { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' },
        { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' },
        config,
      ).household,
    ).toBeNull();
    expect(check({ nino: 'AB123456C' }, { nino: 'CE987654A' }, config).hardNegatives).toEqual([]);
    expect(() => matchConfig({ thresholds: { autoLink: 0.5, review: 0.9 } })).toThrow(
      'review threshold must not exceed autoLink',
    );
  });
});
