import { decodeCursor, encodeCursor, toCriteria } from './search-criteria';

describe('search criteria', () => {
  it('split a full name and normalise postcode and NINO', () => {
    expect(toCriteria({ name: '  Jon   Smyth ', postcode: 'ne1 4st', nino: 'qq 12 34 56 c' }).criteria).toEqual({
      givenName: 'Jon',
      familyName: 'Smyth',
      postcode: 'NE14ST',
      nino: 'QQ123456C',
    });
    expect(toCriteria({ name: 'Smyth' }).criteria).toEqual({ familyName: 'Smyth' });
    expect(toCriteria({ name: 'Jon Smyth', givenName: 'John' }).criteria).toMatchObject({ givenName: 'John', familyName: 'Smyth' });
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
    [{ name: 'Jo', after: 'garbage' }, /cursor/],
  ])('refuse %j with a message naming the problem', (input, message) => {
    expect(() => toCriteria(input)).toThrow(message);
  });

  it('round-trip a cursor', () => {
    const hit = { score: 0.8123, personId: '0b6f7d2e-1c1a-4a55-9d2b-0f3c1b2a0001' };
    expect(decodeCursor(encodeCursor(hit))).toEqual(hit);
    expect(toCriteria({ name: 'Jo', after: encodeCursor(hit) }).after).toEqual(hit);
  });
});
