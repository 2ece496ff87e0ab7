import { IdentityFields } from '../../sources/identity-fields';
import { BatchPreparer, IdentityMatcher } from './identity-matcher';
import { PreparedParts, prepareRecord } from './prepare';
import { MatchRecord } from './types';

const record = (id: string, fields: IdentityFields): MatchRecord => ({ source: 's', id, fields });

const records: MatchRecord[] = [
  record('1', {
    givenName: 'Mary-Ann',
    middleNames: 'Jo',
    familyName: 'Smith-Jones Jr',
    dateOfBirth: '1980-02-29',
    sex: 'F',
    nino: 'AB123456C',
    postcode: 'sw1a 1aa',
    addressLines: ['Flat 2, 10 High St', 'Upper Town'],
    locality: 'Leeds',
    email: 'mary@example.com',
    phone: '+44 7700 900123',
    identifiers: { housing: 'H-1' },
    previousFamilyNames: ['Brown'],
  }),
  // The same person again: every part equal.
  record('2', {
    givenName: 'MARY-ANN',
    middleNames: 'jo',
    familyName: 'Smith-Jones Jr',
    dateOfBirth: '1980-02-29',
    postcode: 'SW1A 1AA',
    addressLines: ['Flat 2, 10 High St', 'Upper Town'],
    locality: 'leeds',
  }),
  // Non-ASCII names and address, an invalid date.
  record('3', {
    givenName: 'Zoë',
    familyName: 'Ó Súilleabháin',
    dateOfBirth: '1990-02-30',
    addressLines: ['5 Rue Élysée'],
    postcode: 'not a postcode',
  }),
  record('4', { givenName: 'Łukasz', familyName: 'Wójcik', dateOfBirth: '1990-02-30', addressLines: ['5 Rue Élysée'] }),
  // Almost nothing.
  record('5', { familyName: 'Mr' }),
  record('6', {}),
];

describe('preparing a batch with shared parts', () => {
  it('gives every record the values it has when prepared alone', () => {
    const parts = new PreparedParts();
    records.forEach((r, i) => expect(prepareRecord(r, i, parts)).toEqual(prepareRecord(r, i)));
    expect(IdentityMatcher.prepareBatch(records)).toEqual(records.map((r, i) => prepareRecord(r, i)));
  });

  it('holds equal names, dates, postcodes, addresses and towns once', () => {
    const [a, b, c, d, e, f] = IdentityMatcher.prepareBatch(records);
    expect(a.given).not.toBeNull();
    expect(b.given).toBe(a.given);
    expect(b.middle).toBe(a.middle);
    expect(b.family).toBe(a.family);
    expect(b.familyParts).toEqual(['smith', 'jones']);
    expect(b.dob).toBe(a.dob);
    expect(b.locality).toBe('leeds');
    expect(b.address).toBe(a.address);
    expect(b.addressWeights).toBe(a.addressWeights);
    expect(d.address).toBe(c.address);
    expect(c.address).toEqual(['5', 'rue', 'elysee']);
    expect(c.given?.key).toBe('zoe');
    expect(d.given?.key).toBe('lukasz');
    expect([c.dob, d.dob, d.postcode, c.postcode?.sector]).toEqual([null, null, null, null]);
    // Different postcodes as written, one postcode once normalised: equal values either way.
    expect(b.postcode).toEqual(a.postcode);
    for (const r of [e, f]) {
      expect([r.given, r.family, r.dob, r.address, r.addressWeights, r.postcode, r.locality]).toEqual([
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(r.familyParts).toEqual([]);
      expect(r.previousFamilies).toEqual([]);
    }
  });

  it('drops the raw fields as it goes when asked to, keeping source and id', () => {
    const copies = records.map((r) => ({ ...r, fields: { ...r.fields } }));
    const preparer = new BatchPreparer(true);
    copies.forEach((r, i) => preparer.add(r, i));
    const prepared = preparer.prepared;
    expect(prepared).toEqual(records.map((r, i) => prepareRecord(r, i)));
    for (const [i, r] of copies.entries()) {
      expect(r.fields).toEqual({});
      expect([r.source, r.id]).toEqual([records[i].source, records[i].id]);
    }
  });

  it('prepares records one at a time as they come, in order only', () => {
    const copies = records.map((r) => ({ ...r, fields: { ...r.fields } }));
    const preparer = new BatchPreparer(true);
    copies.forEach((r, i) => preparer.add(r, i));
    expect(preparer.prepared).toEqual(IdentityMatcher.prepareBatch(records));
    expect(copies.every((r) => Object.keys(r.fields).length === 0)).toBe(true);
    const kept = new BatchPreparer();
    kept.add(records[0]);
    expect(records[0].fields.givenName).toBe('Mary-Ann');
    expect(() => kept.add(records[2], 2)).toThrow('record 2 prepared out of order');
  });

  it('annotates a shared address once for every record holding it, with the weights each would get alone', () => {
    const batch = [...records, ...records.map((r) => ({ ...r, id: `${r.id}b` }))];
    const matcher = IdentityMatcher.train(batch);
    const prepared = IdentityMatcher.prepareBatch(batch);
    for (const r of prepared) matcher.model.tf.annotate(r);
    for (const [i, r] of prepared.entries()) expect(r).toEqual(matcher.prepare(batch[i], i));
    expect(prepared[0].addressWeights?.some((w) => w !== 1)).toBe(true);
  });
});
