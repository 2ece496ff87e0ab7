import { IdentityFields } from '../../sources/identity-fields';
import { IdentityMatcher } from './identity-matcher';
import { SharedRecords, shareRecords } from './shared-records';
import { MatchRecord } from './types';

const record = (id: string, fields: IdentityFields): MatchRecord => ({ source: 'src', id, fields });

const records: MatchRecord[] = [
  record('1', {
    givenName: 'Zoë',
    middleNames: 'Ann Marie',
    familyName: 'Ó Súilleabháin',
    dateOfBirth: '1980-02-29',
    sex: 'F',
    nino: 'AB123456C',
    postcode: 'LS1 4AP',
    addressLines: ['10 High Street', 'Upper Town'],
    locality: 'Leeds',
    email: 'zoe@example.com',
    phone: '07700 900123',
    identifiers: { housing: 'H-1', council: 'C 9' },
    previousFamilyNames: ['Brown'],
  }),
  // The same one-word given name, date, postcode and address as record 1.
  record('2', {
    givenName: 'ZOE',
    familyName: 'Smith-Jones',
    dateOfBirth: '1980-02-29',
    postcode: 'ls1 4ap',
    addressLines: ['10 High St', 'Upper Town'],
  }),
  // The address tokens of record 1 in another order: the same sorted key, other tokens in place.
  record('3', { givenName: 'Łukasz', addressLines: ['Upper Town', '10 High Street'], postcode: 'nonsense' }),
  // Nothing but an id.
  record('4', {}),
  record('5', { familyName: 'Wójcik', email: 'not an email@', sex: 'M' }),
];

describe('the shared record store', () => {
  const matcher = IdentityMatcher.train(records);
  const prepared = IdentityMatcher.prepareBatch(records);
  for (const r of prepared) matcher.model.tf.annotate(r);
  const store = new SharedRecords(shareRecords(prepared));

  it('reads every record back equal to the prepared one, missing fields and non-ASCII names included', () => {
    expect(store.count).toBe(records.length);
    for (const [i, r] of prepared.entries()) expect(store.get(i)).toEqual(r);
    // Read again, from the parts already read.
    for (const [i, r] of [...prepared.entries()].toReversed()) expect(store.get(i)).toEqual(r);
    expect(prepared[0].addressWeights?.some((w) => w !== 1)).toBe(true);
    expect(prepared[0].middle?.tokens).toEqual(['ann', 'marie']);
    expect(prepared[2].given?.key).toBe('lukasz');
  });

  it('shares a one-word name, a date, a postcode and an address between the records it reads', () => {
    const [a, b, c] = [store.get(0), store.get(1), store.get(2)];
    expect(b.given).toBe(a.given);
    expect(b.dob).toBe(a.dob);
    expect(b.postcode).toBe(a.postcode);
    expect(b.address).toBe(a.address);
    expect(b.addressWeights).toBe(a.addressWeights);
    // One sorted key, tokens in another order: its own tokens, masks and weights.
    expect(c.addressKey).toBe(a.addressKey);
    expect(c.address).not.toBe(a.address);
    expect(c.address).toEqual(['upper', 'town', '10', 'high', 'street']);
    expect(c.addressMasks).toEqual(prepared[2].addressMasks);
    expect(c.addressWeights).toEqual(prepared[2].addressWeights);
  });
});
