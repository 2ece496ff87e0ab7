import { accessEntities } from '../../src/access/access.entities';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { assignDemoCaseload } from '../../src/access/seed/demo-caseload';
import { AuditService } from '../../src/audit/audit.service';
import { HouseholdsService } from '../../src/households/households.service';
import { PersonDirectory } from '../../src/identity/directory/person-directory.service';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { fixturePeople, insertSourceRecords, noisyCopy, seeded } from '../support/identity-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('the demo caseload', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(accessEntities);
    const random = seeded(4);
    const home = { uprn: '700001', postcode: 'LS9 8AA', addressLines: ['3 Ivy Street'] };
    const family = [
      { givenName: 'Nadia', familyName: 'Kaur', dateOfBirth: '1984-02-02', ...home },
      { givenName: 'Ravi', familyName: 'Kaur', dateOfBirth: '2012-07-19', ...home },
    ];
    const ids = await insertSourceRecords(db.dataSource, [
      // Background people known to two services, as in a real first load, so the model has matches to learn from.
      ...fixturePeople(60, 9).flatMap((p) => [
        { source: 'housing', fields: p.fields },
        { source: 'benefits', fields: noisyCopy(p.fields, random) },
      ]),
      ...family.map((fields) => ({ source: 'housing', fields })),
      ...family.map((fields) => ({ source: 'benefits', fields })),
    ]);
    // The family shares a tenancy, so the household resolution groups them.
    await db.dataSource.query(
      `update source_record set household_hints = '[{"kind":"tenancy","groupKey":"T-1","role":"tenant"}]' where id = any($1::bigint[])`,
      [ids.slice(-4)],
    );
    await new IdentityIndexService(db.dataSource).matchPending();
    await new HouseholdsService(db.dataSource, new PersonDirectory(db.dataSource)).resolveAll();
  });
  afterAll(() => db.drop());

  it('assigns households that several services know to the team, once, with an audit event each', async () => {
    const assignments = new CaseAssignmentsService(db.dataSource, new AuditService(db.dataSource));
    const assigned = await assignDemoCaseload(
      db.dataSource,
      new PersonDirectory(db.dataSource),
      assignments,
      'early-help-north',
      5,
    );
    expect(assigned).toHaveLength(1);
    const [household] = await db.dataSource.query(
      `select h.id::text from household h join household_membership m on m.household_id = h.id where h.uprn = '700001' limit 1`,
    );
    expect(assigned).toEqual([household.id]);
    expect(
      await assignDemoCaseload(db.dataSource, new PersonDirectory(db.dataSource), assignments, 'early-help-north', 5),
    ).toEqual([]);
    const events = await db.dataSource.query(
      `select households from audit_event where operation = 'case-assignment.create'`,
    );
    expect(events).toEqual([{ households: [household.id] }]);
  });
});
