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
  return { hardNegatives: rules.hardNegatives(ra, rb, levels), deterministic: rules.deterministic(ra, rb), needsCorroboration: rules.needsCorroboration(ra, rb, levels) };
}

const home = { familyName: 'Patel', addressLines: ['4 Mill Lane'], postcode: 'LS6 2AB' };

describe('deterministic rules and hard negatives', () => {
  it('keeps twins apart: same date of birth and home, clearly different given names', () => {
    expect(check({ ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' }, { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' }).hardNegatives).toEqual(['twins: same date of birth, different given names']);
    expect(check({ ...home, givenName: 'Olivia', sex: 'F', dateOfBirth: '2012-03-04' }, { ...home, givenName: 'Oliver', sex: 'M', dateOfBirth: '2012-03-04' }).hardNegatives).toHaveLength(1);
    // A nickname or a typo is not a different name.
    expect(check({ ...home, givenName: 'Robert', dateOfBirth: '2012-03-04' }, { ...home, givenName: 'Bob', dateOfBirth: '2012-03-04' }).hardNegatives).toEqual([]);
  });

  it('keeps Sr and Jr apart: same name, births a generation apart, or different suffixes', () => {
    expect(check({ ...home, givenName: 'John', dateOfBirth: '1960-05-01' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' }).hardNegatives).toEqual(['generations: same name, births a generation apart']);
    expect(check({ givenName: 'John', familyName: 'Patel Jr' }, { givenName: 'John', familyName: 'Patel Sr' }).hardNegatives).toEqual(['different generation suffix']);
    // A one-part slip in the date of birth is not a generation.
    expect(check({ ...home, givenName: 'John', dateOfBirth: '1960-05-01' }, { ...home, givenName: 'John', dateOfBirth: '1990-05-01' }).hardNegatives).toEqual([]);
  });

  it('treats two different valid NINOs or NHS numbers as different people', () => {
    expect(check({ nino: 'AB123456C' }, { nino: 'CE987654A' }).hardNegatives).toEqual(['different NINO']);
    expect(check({ nino: 'AB123456C' }, { nino: 'AB124356C' }).hardNegatives).toEqual([]);
    expect(check({ nhsNumber: '9434765919' }, { nhsNumber: '4010232137' }).hardNegatives).toEqual(['different NHS number']);
  });

  it('lets a shared personal identifier outweigh the twins and generation heuristics', () => {
    const a = { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04', nino: 'AB123456C' };
    const b = { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04', nino: 'AB123456C' };
    expect(check(a, b).hardNegatives).toEqual([]);
    const c = { ...home, givenName: 'Asha', dateOfBirth: '2012-03-04', identifiers: { ref: '100234' } };
    expect(check(c, { ...c, givenName: 'Ravi' }, ['ref']).hardNegatives).toEqual([]);
    expect(check(c, { ...c, givenName: 'Ravi' }).hardNegatives).toHaveLength(1);
    // Consecutive numbers may be twins registered together.
    expect(check(c, { ...c, givenName: 'Ravi', identifiers: { ref: '100235' } }, ['ref']).hardNegatives).toHaveLength(1);
  });

  it('applies configured deterministic rules only when every field is present and equal', () => {
    expect(check({ nhsNumber: '9434765919', dateOfBirth: '1970-01-01' }, { nhsNumber: '9434765919', dateOfBirth: '1970-01-01' }).deterministic).toBe('same NHS number and date of birth');
    expect(check({ nhsNumber: '9434765919' }, { nhsNumber: '9434765919' }).deterministic).toBeNull();
    const config = matchConfig({ rules: { deterministic: [{ name: 'ref and surname', fields: ['identifier:ref', 'familyName'] }] } });
    expect(check({ familyName: 'Lee', identifiers: { ref: 'A1' } }, { familyName: 'LEE', identifiers: { ref: 'a1' } }, [], config).deterministic).toBe('ref and surname');
  });

  it('asks for corroboration before linking namesakes at one address when a date of birth is missing', () => {
    expect(check({ ...home, givenName: 'John' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03' }).needsCorroboration).toBe(true);
    expect(check({ ...home, givenName: 'John', phone: '07911123456' }, { ...home, givenName: 'John', dateOfBirth: '1990-02-03', phone: '07911 123456' }).needsCorroboration).toBe(false);
  });

  it('can switch hard negatives off by configuration', () => {
    const config = matchConfig({ rules: { hardNegatives: { twins: false } } });
    expect(check({ ...home, givenName: 'Asha', dateOfBirth: '2012-03-04' }, { ...home, givenName: 'Ravi', dateOfBirth: '2012-03-04' }, [], config).hardNegatives).toEqual([]);
    expect(() => matchConfig({ thresholds: { autoLink: 0.5, review: 0.9 } })).toThrow('review threshold must not exceed autoLink');
  });
});
