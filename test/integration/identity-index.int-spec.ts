import { AuditService } from '../../src/audit/audit.service';
import { Principal, Role } from '../../src/engine/principal';
import { IdentityErrorCode } from '../../src/identity/identity.exception';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { IdentityDecisionsService } from '../../src/identity/persons/identity-decisions.service';
import {
  fixturePeople,
  insertSourceRecords,
  noisyCopy,
  seeded,
  updateSourceRecord,
} from '../support/identity-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const steward: Principal = { subject: 'steward-1', organisation: 'council', roles: [Role.DataSteward] };
const secondSteward: Principal = { subject: 'steward-2', organisation: 'council', roles: [Role.DataSteward] };

describe('the persistent person index', () => {
  let db: TestDatabase;
  let index: IdentityIndexService;
  let decisions: IdentityDecisionsService;
  const truthOf = new Map<string, number>();
  let twins: string[];
  let seniorJunior: string[];

  /** Truths (people) with at least two records, in order, for tests that need a person to split. */
  const withSeveral = () => {
    const counts = new Map<number, number>();
    for (const truth of truthOf.values()) counts.set(truth, (counts.get(truth) ?? 0) + 1);
    return [...counts].filter(([truth, n]) => n > 1 && truth < 1000).map(([truth]) => truth);
  };

  const links = async () => {
    const rows: { id: string; person: string }[] = await db.dataSource.query(
      'select source_record_id::text as id, person_id::text as person from person_link order by source_record_id',
    );
    return new Map(rows.map((r) => [r.id, r.person]));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    index = new IdentityIndexService(db.dataSource);
    decisions = new IdentityDecisionsService(db.dataSource, new AuditService(db.dataSource));
    const random = seeded(7);
    const people = fixturePeople(150, 3);
    const rows: { source: string; fields: (typeof people)[0]['fields']; truth: number }[] = [];
    for (const person of people) {
      rows.push({ source: 'housing', fields: person.fields, truth: person.truth });
      if (random() < 0.7)
        rows.push({ source: 'benefits', fields: noisyCopy(person.fields, random), truth: person.truth });
      if (random() < 0.4)
        rows.push({ source: 'social-care', fields: noisyCopy(person.fields, random), truth: person.truth });
    }
    // Twins: one address, one birthday, one family name, two people. Sr and Jr: one name, one address.
    const home = { uprn: '900001', postcode: 'LS6 3AB', addressLines: ['9 Cardigan Road'] };
    const hard = [
      { truth: 1001, fields: { givenName: 'Amira', familyName: 'Haddad', dateOfBirth: '2012-04-09', ...home } },
      { truth: 1002, fields: { givenName: 'Samir', familyName: 'Haddad', dateOfBirth: '2012-04-09', ...home } },
      {
        truth: 1003,
        fields: {
          givenName: 'David',
          familyName: 'Whitaker',
          dateOfBirth: '1958-02-11',
          uprn: '900002',
          postcode: 'LS7 1AA',
          addressLines: ['2 Chapel Lane'],
        },
      },
      {
        truth: 1004,
        fields: {
          givenName: 'David',
          familyName: 'Whitaker',
          dateOfBirth: '1986-07-30',
          uprn: '900002',
          postcode: 'LS7 1AA',
          addressLines: ['2 Chapel Lane'],
        },
      },
    ];
    for (const h of hard) rows.push({ source: 'housing', ...h }, { source: 'benefits', ...h });
    const ids = await insertSourceRecords(db.dataSource, rows);
    ids.forEach((id, i) => truthOf.set(id, rows[i].truth));
    twins = ids.filter((id) => [1001, 1002].includes(truthOf.get(id)!));
    seniorJunior = ids.filter((id) => [1003, 1004].includes(truthOf.get(id)!));
  });
  afterAll(() => db.drop());

  it('trains on the records and links every record to a person, without merging two people', async () => {
    const summary = await index.matchPending({ batchSize: 100 });
    expect(summary.processed).toBe(truthOf.size);
    const linked = await links();
    expect(linked.size).toBe(truthOf.size);
    const truthsPerPerson = new Map<string, Set<number>>();
    for (const [id, person] of linked)
      truthsPerPerson.set(person, (truthsPerPerson.get(person) ?? new Set()).add(truthOf.get(id)!));
    const falseMerges = [...truthsPerPerson.values()].filter((truths) => truths.size > 1);
    expect(falseMerges).toEqual([]);
    // Recall: most true pairs end up in one person (a few noisy copies may wait for review).
    const personsPerTruth = new Map<number, Set<string>>();
    for (const [id, person] of linked)
      personsPerTruth.set(truthOf.get(id)!, (personsPerTruth.get(truthOf.get(id)!) ?? new Set()).add(person));
    const whole = [...personsPerTruth.values()].filter((persons) => persons.size === 1).length;
    expect(whole / personsPerTruth.size).toBeGreaterThan(0.9);
  });

  it('keeps twins and a father and son of one name at one address apart, while linking each across sources', async () => {
    const linked = await links();
    const personOfTruth = (ids: string[], truth: number) =>
      new Set(ids.filter((id) => truthOf.get(id) === truth).map((id) => linked.get(id)));
    expect(personOfTruth(twins, 1001).size).toBe(1);
    expect(personOfTruth(twins, 1002).size).toBe(1);
    expect([...personOfTruth(twins, 1001)][0]).not.toBe([...personOfTruth(twins, 1002)][0]);
    expect([...personOfTruth(seniorJunior, 1003)][0]).not.toBe([...personOfTruth(seniorJunior, 1004)][0]);
  });

  it('does not join a father and his namesake son through records that each lack what the other holds', async () => {
    // Housing holds the father with his NINO but no date of birth, and the son with his date of birth and
    // phone but no NINO, one given name mistyped: only the household's surname and address agree. Benefits
    // sends both in full in a later sync, when the index has already decided about the housing pair.
    const home = {
      familyName: 'Ashworth',
      sex: 'M' as const,
      uprn: '900003',
      postcode: 'LS8 2QT',
      addressLines: ['14 Harehills Lane'],
    };
    const father = { ...home, givenName: 'Kenneth', dateOfBirth: '1961-05-14', nino: 'JT446120B' };
    const son = { ...home, givenName: 'Kenneth', dateOfBirth: '1989-11-02', nino: 'PR318755A', phone: '07700 900123' };
    const housing = [
      { truth: 1005, source: 'housing', fields: { ...home, givenName: 'Kenneht', nino: father.nino } },
      {
        truth: 1006,
        source: 'housing',
        fields: { ...son, givenName: 'Ken', nino: undefined, email: 'ken.ashworth@example.org' },
      },
    ];
    const benefits = [
      { truth: 1005, source: 'benefits', fields: father },
      { truth: 1006, source: 'benefits', fields: son },
    ];
    const ids: string[] = [];
    for (const rows of [housing, benefits]) {
      const inserted = await insertSourceRecords(db.dataSource, rows);
      inserted.forEach((id, i) => truthOf.set(id, rows[i].truth));
      ids.push(...inserted);
      await index.matchPending();
    }
    const linked = await links();
    const personsOf = (truth: number) =>
      new Set(ids.filter((id) => truthOf.get(id) === truth).map((id) => linked.get(id)));
    expect(linked.get(ids[1])).not.toBe(linked.get(ids[0]));
    expect([...personsOf(1005)].filter((p) => personsOf(1006).has(p))).toEqual([]);
    // Each is still linked across the two sources: the father by his NINO, the son by date of birth and phone.
    expect(personsOf(1005).size).toBe(1);
    expect(personsOf(1006).size).toBe(1);
    // The housing pair waits for a person to look at it.
    const reviews: { reason: string }[] = await db.dataSource.query(
      'select reason from match_review where record_a = $1 and record_b = $2',
      [ids[0], ids[1]],
    );
    expect(reviews.map((r) => r.reason)).toEqual([expect.stringMatching(/^needs corroboration: household members/)]);
  });

  it('keeps person ids stable when everything is matched again', async () => {
    const before = await links();
    await index.requeueAll();
    const summary = await index.matchPending();
    expect(summary.processed).toBe(truthOf.size);
    expect(summary.newPersons).toBe(0);
    expect(await links()).toEqual(before);
  });

  it('links a new record of a known person to that person, incrementally', async () => {
    const linked = await links();
    const [someone] = [...truthOf].find(([, truth]) => truth === 42)!;
    const [fields] = await db.dataSource.query('select demographics from source_record where id = $1', [someone]);
    const [newId] = await insertSourceRecords(db.dataSource, [
      { source: 'social-care', fields: { ...fields.demographics, nhsNumber: '9434765919' } },
    ]);
    truthOf.set(newId, 42);
    const summary = await index.matchPending();
    expect(summary.processed).toBe(1);
    expect((await links()).get(newId)).toBe(linked.get(someone));
  });

  it('moves a changed record out of a person it no longer fits', async () => {
    const linked = await links();
    const truth = withSeveral()[0];
    const moving = [...truthOf].find(([, t]) => t === truth)![0];
    await updateSourceRecord(db.dataSource, moving, {
      givenName: 'Zebedee',
      familyName: 'Quartermaine',
      dateOfBirth: '1901-01-01',
      uprn: '777777',
    });
    truthOf.set(moving, 9999);
    await index.matchPending();
    const after = await links();
    expect(after.get(moving)).not.toBe(linked.get(moving));
  });

  it('respects a split and a merge when everything is matched again, and a merged id points to its survivor', async () => {
    const linked = await links();
    const members = [...linked].filter(([id]) => truthOf.get(id) === withSeveral()[1]).map(([id]) => id);
    expect(members.length).toBeGreaterThan(1);
    expect(new Set(members.map((id) => linked.get(id))).size).toBe(1);
    const { personId: splitPerson } = await decisions.split(members[1], steward, 'two people: confirmed by phone');

    const personA = linked.get([...truthOf].find(([, t]) => t === 30)![0])!;
    const personB = linked.get([...truthOf].find(([, t]) => t === 31)![0])!;
    // No NINO or NHS number agrees: the merge waits for a second steward.
    const { mergeRequest } = await decisions.merge(personA, personB, steward, 'same person, test of a manual merge');
    expect(mergeRequest).toMatchObject({ status: 'pending', survivorId: personA, mergedId: personB });
    await decisions.approveMerge(mergeRequest!.id, secondSteward);

    await index.requeueAll();
    await index.matchPending();
    const after = await links();
    expect(after.get(members[1])).toBe(splitPerson);
    expect(after.get(members[0])).not.toBe(splitPerson);
    const [merged] = await db.dataSource.query('select status, merged_into::text from person where id = $1', [personB]);
    expect(merged).toEqual({ status: 'merged', merged_into: personA });
    const recordsOfB = [...after.values()].filter((p) => p === personB);
    expect(recordsOfB).toEqual([]);

    const events: { operation: string }[] = await db.dataSource.query(
      `select operation from audit_event where operation like 'identity.%' order by seq`,
    );
    expect(events.map((e) => e.operation)).toEqual([
      'identity.split',
      'identity.merge.request',
      'identity.merge.approve',
    ]);
  });

  it('refuses a merge that contradicts an earlier "different" decision, and changes nothing', async () => {
    const linked = await links();
    const members = [...linked].filter(([id]) => truthOf.get(id) === withSeveral()[1]).map(([id]) => id);
    const error = await decisions
      .merge(linked.get(members[0])!, linked.get(members[1])!, steward, 'undo')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: IdentityErrorCode.CONFLICTING_DECISION });
    expect(await links()).toEqual(linked);
  });

  it('keeps deleted records out of candidate search but keeps their link', async () => {
    const [gone] = [...truthOf].find(([, t]) => t === 50)!;
    const linked = await links();
    await db.dataSource.query(
      `update source_record set deleted = true, deleted_at = now(), match_status = 'pending' where id = $1`,
      [gone],
    );
    await index.matchPending();
    const [{ count }] = await db.dataSource.query(
      'select count(*)::int as count from match_block_key where source_record_id = $1',
      [gone],
    );
    expect(count).toBe(0);
    expect((await links()).get(gone)).toBe(linked.get(gone));
  });
});
