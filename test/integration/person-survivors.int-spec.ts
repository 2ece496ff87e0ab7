import { AccessException } from '../../src/engine/access.exception';
import type { AnswerRequest, PolicyService } from '../../src/access/policy/policy.service';
import type { Decision } from '../../src/access/policy/policy.types';
import { resolvePerson } from '../../src/access/relationships/person-survivor';
import { Role } from '../../src/engine/principal';
import { MAX_MERGE_HOPS, PersonDirectory, survivorsOf } from '../../src/identity/directory/person-directory.service';
import type { EligibilityInputs } from '../../src/single-view/eligibility/eligibility-inputs.service';
import { EligibilityCheck } from '../../src/single-view/eligibility/eligibility-rule';
import { EligibilityService } from '../../src/single-view/eligibility/eligibility.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * One survivor rule for every reader of the person index: the single view (`survivorsIndexed`), the
 * eligibility answers (the same call) and the access records kept against a person (`resolvePerson`, over
 * `survivorsOf`) resolve merged and chained merges to the same survivor, and agree on which ids have none.
 */
describe('the survivor of a merged person id, for every caller', () => {
  let db: TestDatabase;
  let directory: PersonDirectory;
  const ids: Record<string, string> = {};

  const person = async (mergedInto?: string): Promise<string> =>
    (
      await db.dataSource.query(`insert into person (status, merged_into) values ($1, $2) returning id::text`, [
        mergedInto ? 'merged' : 'active',
        mergedInto ?? null,
      ])
    )[0].id;

  /** `hops` persons merged one into the next, the last into `end`; returns the first (the farthest from `end`). */
  const chain = async (end: string, hops: number): Promise<string> => {
    let next = end;
    for (let i = 0; i < hops; i++) next = await person(next);
    return next;
  };

  /** What the eligibility check asks the decision point about (the subject's person id), or 'not found'. */
  const eligibilitySubject = async (id: string): Promise<string> => {
    let asked: AnswerRequest | undefined;
    const allow: Decision = { effect: 'allow', released: [], withheld: [], reasons: [] };
    const policy = {
      decideAnswer: (request: AnswerRequest) => ((asked = request), Promise.resolve(allow)),
      recordAnswer: () => Promise.resolve(),
      recordAnswerRefused: () => Promise.resolve(),
    } as unknown as PolicyService;
    const inputs = { fetch: () => Promise.resolve(new Map()) } as unknown as EligibilityInputs;
    const service = new EligibilityService(policy, directory, inputs);
    const principal = { subject: 'school-user', organisation: 'school', roles: [Role.PartnerAgency] };
    try {
      await service.check({
        principal,
        context: { purpose: 'BENEFIT_ELIGIBILITY' },
        personId: id,
        check: EligibilityCheck.FREE_SCHOOL_MEALS,
      });
      return asked!.subject.personId;
    } catch (error) {
      if ((error as { code?: string }).code === 'PERSON_NOT_FOUND') return 'not found';
      throw error;
    }
  };

  /** What a consent, objection or break-glass grant asked for `id` is kept against, or 'not found'. */
  const accessRecordPerson = async (id: string): Promise<string> => {
    try {
      return (await resolvePerson(db.dataSource, id)).personId;
    } catch (error) {
      if (error instanceof AccessException) return 'not found';
      throw error;
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    directory = new PersonDirectory(db.dataSource);
    ids.survivor = await person();
    const [{ id: record }] = await db.dataSource.query(
      `insert into source_record (source, source_key, demographics, content_hash, match_status)
       values ('benefits', 'B-1', '{}', 'h', 'matched') returning id::text`,
    );
    await db.dataSource.query(
      `insert into person_link (source_record_id, person_id, method, decided_by) values ($1, $2, 'new', 'test')`,
      [record, ids.survivor],
    );
    ids.merged = await person(ids.survivor);
    // A merge into a person who was merged later, not repointed: two hops.
    ids.chained = await person(ids.merged);
    // Longer than the old eligibility bound (16), within the rule's.
    ids.long = await chain(ids.survivor, 20);
    // Longer than any merge history should be: broken.
    ids.tooLong = await chain(ids.survivor, MAX_MERGE_HOPS + 1);
    // A cycle: merged into each other, no active end.
    ids.cycleA = await person();
    ids.cycleB = await person(ids.cycleA);
    await db.dataSource.query(`update person set status = 'merged', merged_into = $2 where id = $1`, [
      ids.cycleA,
      ids.cycleB,
    ]);
    ids.unknown = '9f0c6d1e-0000-4000-8000-000000000000';
  });

  afterAll(() => db?.drop());

  it.each([
    ['an active person', 'survivor', 'survivor'],
    ['a merged id', 'merged', 'survivor'],
    ['a chained merge', 'chained', 'survivor'],
    ['a chain of 20 merges', 'long', 'survivor'],
    ['a chain longer than the bound', 'tooLong', undefined],
    ['a merge cycle', 'cycleA', undefined],
    ['an id the index does not hold', 'unknown', undefined],
  ])('resolves %s the same way for the single view, eligibility and access records', async (_, name, expected) => {
    const id = ids[name];
    const want = expected ? ids[expected] : 'not found';
    const singleView = (await directory.survivorsIndexed([id])).get(id);
    expect(singleView?.personId ?? 'not found').toBe(want);
    if (singleView) expect(singleView.keys).toEqual(new Map([['benefits', ['B-1']]]));
    expect(await eligibilitySubject(id)).toBe(want);
    expect(await accessRecordPerson(id)).toBe(want);
    const survivors = await survivorsOf(db.dataSource, [id]);
    expect(survivors.get(id) ?? 'not found').toBe(want);
    // Known but broken is told apart from unknown (an access record says which).
    expect(survivors.has(id)).toBe(name !== 'unknown');
  });

  it('resolves many ids in one query, each to its own survivor', async () => {
    const all = Object.values(ids);
    const survivors = await survivorsOf(db.dataSource, all);
    const indexed = await directory.survivorsIndexed(all);
    for (const id of all) expect(indexed.get(id)?.personId ?? null).toBe(survivors.get(id) ?? null);
  });
});
