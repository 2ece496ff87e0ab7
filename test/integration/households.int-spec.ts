import { HouseholdsService } from '../../src/households/households.service';
import { PersonDirectory } from '../../src/identity/directory/person-directory.service';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { fixturePeople } from '../support/identity-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('households from the person index', () => {
  let db: TestDatabase;
  let households: HouseholdsService;
  let index: IdentityIndexService;
  const recordOf = new Map<string, string>();

  const personOf = async (key: string): Promise<string> =>
    (
      await db.dataSource.query(
        'select person_id::text from person_link l join source_record r on r.id = l.source_record_id where r.source_key = $1',
        [key],
      )
    )[0].person_id;

  const currentHousehold = async (key: string): Promise<string | undefined> =>
    (
      await db.dataSource.query(
        'select household_id::text from household_membership where person_id = $1 and valid_to is null',
        [await personOf(key)],
      )
    )[0]?.household_id;

  beforeAll(async () => {
    db = await createTestDatabase();
    households = new HouseholdsService(db.dataSource, new PersonDirectory(db.dataSource));
    index = new IdentityIndexService(db.dataSource);
    // Background people so the model has data to train on, each alone at their own address.
    const rows = fixturePeople(80, 11).map((p, i) => ({ key: `bg-${i}`, fields: p.fields, hints: [] as object[] }));
    const flat = { uprn: '500100', postcode: 'LS2 9JT', addressLines: ['Flat 1, 4 Woodhouse Lane'] };
    rows.push(
      {
        key: 'mum',
        fields: { givenName: 'Grace', familyName: 'Achebe', dateOfBirth: '1985-03-14', ...flat },
        hints: [{ kind: 'tenancy', groupKey: 'T-77', role: 'tenant' }],
      },
      {
        key: 'son',
        fields: { givenName: 'Tobi', familyName: 'Achebe', dateOfBirth: '2015-09-02', ...flat },
        hints: [{ kind: 'tenancy', groupKey: 'T-77', role: 'occupant' }],
      },
      {
        key: 'lodger',
        fields: { givenName: 'Piotr', familyName: 'Zielinski', dateOfBirth: '1990-11-30', ...flat },
        hints: [{ kind: 'tenancy', groupKey: 'T-77', role: 'lodger' }],
      },
    );
    const inserted: { id: string; source_key: string }[] = await db.dataSource.query(
      `insert into source_record (source, source_key, demographics, household_hints, content_hash)
       select 'housing', k, d, h, md5(d::text) from unnest($1::text[], $2::jsonb[], $3::jsonb[]) as t(k, d, h) returning id::text, source_key`,
      [rows.map((r) => r.key), rows.map((r) => JSON.stringify(r.fields)), rows.map((r) => JSON.stringify(r.hints))],
    );
    for (const row of inserted) recordOf.set(row.source_key, row.id);
    await index.matchPending();
  });
  afterAll(() => db.drop());

  it('groups a tenancy into one household with roles, and everyone else alone', async () => {
    const summary = await households.resolveAll(new Date('2026-01-01'));
    expect(summary.households).toBe(81);
    const home = await currentHousehold('mum');
    expect(home).toBeDefined();
    expect(await currentHousehold('son')).toBe(home);
    expect(await currentHousehold('lodger')).toBe(home);
    const roles = await db.dataSource.query(
      'select role from household_membership where household_id = $1 order by role',
      [home],
    );
    expect(roles.map((r: { role: string }) => r.role)).toEqual(['lodger', 'occupant', 'tenant']);
    expect(await currentHousehold('bg-1')).not.toBe(home);
  });

  it('records a move: the old membership is closed, the family keeps its household id, nothing is deleted', async () => {
    const home = await currentHousehold('mum');
    const lodger = await personOf('lodger');
    await db.dataSource.query(
      `update source_record set demographics = demographics || '{"uprn":"500200","addressLines":["12 Hyde Park Road"],"postcode":"LS6 1AB"}'::jsonb,
         household_hints = '[{"kind":"tenancy","groupKey":"T-90","role":"tenant"}]', source_updated_at = now(), match_status = 'pending' where source_key = 'lodger'`,
    );
    await index.matchPending();
    const summary = await households.resolveAll(new Date('2026-02-01'));
    expect(summary).toMatchObject({ created: 1, joined: 1, left: 1 });
    expect(await currentHousehold('mum')).toBe(home);
    const history: { household_id: string; valid_to: Date | null }[] = await db.dataSource.query(
      'select household_id::text, valid_to from household_membership where person_id = $1 order by valid_from',
      [lodger],
    );
    expect(history).toHaveLength(2);
    expect(history[0]).toEqual({ household_id: home, valid_to: new Date('2026-02-01') });
    expect(history[1].valid_to).toBeNull();
    expect(history[1].household_id).not.toBe(home);
  });

  it('changes nothing when run again on the same data, and writes no row (each row keeps its version)', async () => {
    const rows = async () => ({
      memberships: await db.dataSource.query('select *, xmin::text as version from household_membership order by id'),
      households: await db.dataSource.query('select *, xmin::text as version from household order by id'),
    });
    const before = await rows();
    const summary = await households.resolveAll(new Date('2026-03-01'));
    expect(summary).toMatchObject({ created: 0, joined: 0, left: 0 });
    expect(await rows()).toEqual(before);
  });

  it('writes what changed in place: a new role, and an address written with quotes, a backslash and accents', async () => {
    const home = await currentHousehold('mum');
    const lines = ['Flat 1, "Les Érables"', 'C:\\ Yard, 4 Woodhouse Lane'];
    await db.dataSource.query(
      `update source_record set demographics = demographics || jsonb_build_object('addressLines', $1::jsonb),
         household_hints = '[{"kind":"tenancy","groupKey":"T-77","role":"joint tenant"}]', source_updated_at = now(),
         match_status = 'pending' where source_key in ('mum', 'son')`,
      [JSON.stringify(lines)],
    );
    await index.matchPending();
    const untouched = await db.dataSource.query(
      'select xmin::text as version from household where id <> $1 order by id',
      [home],
    );
    const summary = await households.resolveAll(new Date('2026-04-01'));
    expect(summary).toMatchObject({ created: 0, joined: 0, left: 0 });
    expect(await currentHousehold('mum')).toBe(home);
    const [household] = await db.dataSource.query('select address_lines from household where id = $1', [home]);
    expect(household.address_lines).toEqual(lines);
    const roles = await db.dataSource.query(
      `select m.role from household_membership m where m.household_id = $1 and m.valid_to is null order by m.role`,
      [home],
    );
    expect(roles.map((r: { role: string }) => r.role)).toEqual(['joint tenant', 'joint tenant']);
    // The other households were left as they were.
    expect(
      await db.dataSource.query('select xmin::text as version from household where id <> $1 order by id', [home]),
    ).toEqual(untouched);
  });
});
