import { criteriaRefs, cursorBinding, requireIdentifying, toCriteria } from './search-criteria';

describe('search criteria', () => {
  it('split a full name and normalise postcode and NINO', () => {
    expect(toCriteria({ name: '  Jon   Smyth ', postcode: 'ne1 4st', nino: 'qq 12 34 56 c' }).criteria).toEqual({
      givenName: 'Jon',
      familyName: 'Smyth',
      postcode: 'NE14ST',
      nino: 'QQ123456C',
    });
    expect(toCriteria({ name: 'Smyth' }).criteria).toEqual({ familyName: 'Smyth' });
    expect(toCriteria({ name: 'Jon Smyth', givenName: 'John' }).criteria).toMatchObject({
      givenName: 'John',
      familyName: 'Smyth',
    });
  });

  it.each([
    [{}, /at least one/],
    [{ dateOfBirth: '1980-02-30' }, /real date/],
    [{ dateOfBirth: '12/03/1980' }, /real date/],
    [{ postcode: 'NOT A POSTCODE' }, /postcode/],
    [{ nino: 'Q1234' }, /nino/],
    [{ name: "Robert'); drop table person;--" }, /letters/],
    [{ name: 'Jo', first: 0 }, /first/],
    [{ name: 'Jo', first: 51 }, /first/],
  ])('refuse %j with a message naming the problem', (input, message) => {
    expect(() => toCriteria(input)).toThrow(message);
  });

  it('name the identity fields a search compares', () => {
    expect(criteriaRefs(toCriteria({ name: 'Jon Smyth', postcode: 'NE1 4ST' }).criteria)).toEqual([
      'hub.identity.givenName',
      'hub.identity.familyName',
      'hub.identity.postcode',
    ]);
  });

  it.each([
    [{ dateOfBirth: '1980-01-02' }],
    [{ postcode: 'NE1 4ST' }],
    [{ nino: 'QQ123456C' }],
    [{ name: 'Jon Smyth' }],
    [{ givenName: 'Jon', postcode: 'NE1 4ST' }],
  ])('refuse an unranked search by %j: a family name and one more identifying attribute', (input) => {
    expect(() => requireIdentifying(toCriteria(input).criteria)).toThrow(
      /family name and one more of dateOfBirth, postcode, nino/,
    );
  });

  it('accept an unranked search by a family name and one more identifying attribute', () => {
    for (const input of [
      { name: 'Smyth', dateOfBirth: '1980-01-02' },
      { familyName: 'Smyth', postcode: 'NE1 4ST' },
      { name: 'Jon Smyth', nino: 'QQ123456C' },
    ]) {
      expect(() => requireIdentifying(toCriteria(input).criteria)).not.toThrow();
    }
  });

  it('bind a cursor to the criteria, the mode, the caller and the purpose', () => {
    const caller = { issuer: 'urn:test', organisation: 'council', subject: 'u1' };
    const criteria = toCriteria({ name: 'Jon Smyth' }).criteria;
    const binding = cursorBinding(criteria, true, caller, 'EARLY_HELP');
    expect(cursorBinding(toCriteria({ name: 'jon smyth' }).criteria, true, caller, 'EARLY_HELP')).toBe(binding);
    for (const other of [
      cursorBinding(toCriteria({ name: 'Jon Smyth', postcode: 'NE1 4ST' }).criteria, true, caller, 'EARLY_HELP'),
      cursorBinding(criteria, false, caller, 'EARLY_HELP'),
      cursorBinding(criteria, true, { ...caller, subject: 'u2' }, 'EARLY_HELP'),
      cursorBinding(criteria, true, { ...caller, organisation: 'police' }, 'EARLY_HELP'),
      cursorBinding(criteria, true, caller, 'HOUSING_NEED'),
    ]) {
      expect(other).not.toBe(binding);
    }
  });
});
