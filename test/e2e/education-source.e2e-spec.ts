import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { AgreementsService } from '../../src/access/agreements/agreements.service';
import { OrganisationsService } from '../../src/access/organisations/organisations.service';
import { AgreementStatus, LawfulBasis } from '../../src/access/policy/policy.types';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Principal, Role } from '../../src/engine/principal';
import { groundTruthName, sandboxDataFile } from '../../src/sandbox/borough-files';
import { GroundTruth } from '../../src/sandbox/borough-model';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';

/**
 * Education, the fourth source, end to end: a school information system's nightly CSV extract, served by
 * its sandbox over HTTP, connected by a mapping file alone (modules/education), synced and matched into the
 * borough's persons and households, and served live in the person and household views under the demo
 * agreements' education lines, withheld where no agreement releases them.
 */

jest.setTimeout(180_000);

const admin: Principal = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const alice: DevTokenRequest = {
  subject: 'am-alice',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const school: DevTokenRequest = {
  subject: 'client-school',
  organisation: 'school',
  roles: [Role.PartnerAgency],
  client: 'school-mis',
};

interface Pupil {
  UPN: string;
  SENProvision?: string;
  FSMEligible?: string;
  FSMTakenUp?: string;
  SchoolName?: string;
  NCYear?: string;
}

type GraphqlError = { message: string; path?: (string | number)[]; extensions: { code: string } };

const educationSelection = `
  services { education }
  education {
    enrolments { schoolName yearGroup }
    attendance { attendanceRate persistentlyAbsent }
    specialEducationalNeeds { provision primaryNeed }
    freeSchoolMeals { eligible takingMeals }
  }`;

describe('education: a nightly CSV extract, the fourth source', () => {
  let hub: SingleViewHub;
  let pupils: Pupil[];
  const tokens = new Map<string, string>();
  /** Person id of each pupil the index linked (by UPN). */
  const personOf = new Map<string, string>();
  /** A household with a current member who is a pupil with special educational needs. */
  let household: { id: string; pupil: Pupil; personId: string };

  const ask = (who: string, query: string, headers: Record<string, string>, variables?: object) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set('x-request-id', randomUUID())
      .set(headers)
      .send({ query, variables });

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 160, seed: 'education' });
    tokens.set('alice', await hub.token(alice));
    pupils = (JSON.parse(await readFile(sandboxDataFile(hub.sources.dir, 'education'), 'utf8')) as { pupils: Pupil[] })
      .pupils;
    const linked: { person_id: string; source_key: string }[] = await hub.db.dataSource.query(
      `select l.person_id::text, r.source_key from person_link l join source_record r on r.id = l.source_record_id
         join person p on p.id = l.person_id where r.source = 'education' and not r.deleted and p.status = 'active'`,
    );
    for (const row of linked) personOf.set(row.source_key, row.person_id);
    const members: { person_id: string; household_id: string }[] = await hub.db.dataSource.query(
      `select person_id::text, household_id::text from household_membership where valid_to is null`,
    );
    const householdOf = new Map(members.map((m) => [m.person_id, m.household_id]));
    const pupil = pupils.find(
      (p) => p.SENProvision && personOf.has(p.UPN) && householdOf.has(personOf.get(p.UPN)!) && p.SchoolName,
    );
    if (!pupil) throw new Error('the test borough has no pupil with special educational needs in a household');
    const personId = personOf.get(pupil.UPN)!;
    household = { id: householdOf.get(personId)!, pupil, personId };
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: household.id, team: 'early-help-north' }, admin);
  });
  afterAll(() => hub?.stop());
  beforeEach(() => hub.resetCalls());

  it('is provided by its sandbox, synced from the extract and matched to the borough’s children', async () => {
    expect(pupils.length).toBeGreaterThan(20);
    const [{ count }] = await hub.db.dataSource.query(
      `select count(*)::int from source_record where source = 'education' and not deleted`,
    );
    expect(count).toBe(pupils.length);
    // Pupils are children of the borough's households: where the same child (the ground truth) has a record
    // in another source, the index made them one person.
    const truth = JSON.parse(await readFile(join(hub.sources.dir, groundTruthName), 'utf8')) as GroundTruth;
    const records: { source: string; source_key: string; person_id: string }[] = await hub.db.dataSource.query(
      `select r.source, r.source_key, l.person_id::text from person_link l join source_record r on r.id = l.source_record_id
        where not r.deleted`,
    );
    const hubPerson = new Map(records.map((r) => [`${r.source}:${r.source_key}`, r.person_id]));
    const byTruePerson = new Map<string, string[]>();
    for (const r of truth.records)
      byTruePerson.set(r.personId, [...(byTruePerson.get(r.personId) ?? []), `${r.source}:${r.sourceKey}`]);
    const known = truth.records.filter(
      (r) => r.source === 'education' && byTruePerson.get(r.personId)!.some((key) => !key.startsWith('education:')),
    );
    expect(known.length).toBeGreaterThan(10);
    const together = known.filter((r) =>
      byTruePerson
        .get(r.personId)!
        .filter((key) => !key.startsWith('education:'))
        .some((key) => hubPerson.get(key) === hubPerson.get(`education:${r.sourceKey}`)),
    );
    expect(together.length / known.length).toBeGreaterThan(0.9);
  });

  it('is served live in the household view under its agreement, one extract read for the household', async () => {
    const res = await ask(
      'alice',
      `{ household(id: "${household.id}") { id services { education } members { person { id ${educationSelection} } } } }`,
      { 'x-purpose': 'EARLY_HELP' },
    ).expect(200);
    expect(res.body.errors).toBeUndefined();
    const { members, services } = res.body.data.household;
    expect(services.education).toBeGreaterThanOrEqual(1);
    const member = members.find((m: { person: { id: string } }) => m.person.id === household.personId);
    expect(member.person.services.education).toBe(true);
    expect(member.person.education.enrolments).toEqual([
      { schoolName: household.pupil.SchoolName, yearGroup: household.pupil.NCYear },
    ]);
    expect(member.person.education.specialEducationalNeeds).toEqual([
      expect.objectContaining({ provision: household.pupil.SENProvision === 'E' ? 'EHC plan' : 'SEN support' }),
    ]);
    expect(member.person.education.attendance[0].attendanceRate).toEqual(expect.any(Number));
    expect(hub.calls.get('education')).toHaveLength(1);
  });

  it('is served live in the person view, audited field by field under an Art. 9 condition for special educational needs', async () => {
    const requestId = randomUUID();
    const res = await ask('alice', `{ person(id: "${household.personId}") { id ${educationSelection} } }`, {
      'x-purpose': 'EARLY_HELP',
      'x-request-id': requestId,
    }).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.person.education.freeSchoolMeals).toEqual([
      {
        eligible: household.pupil.FSMEligible === 'Y',
        takingMeals: household.pupil.FSMTakenUp ? household.pupil.FSMTakenUp === 'Y' : null,
      },
    ]);
    const [event] = await hub.db.dataSource.query(
      `select agreement_id, released, basis from audit_event where request_id = $1 and operation = 'person.view'`,
      [requestId],
    );
    expect(event.agreement_id).toBe('council-early-help');
    expect(event.released).toEqual(
      expect.arrayContaining([
        { source: 'education', field: 'school-enrolment.schoolName' },
        { source: 'education', field: 'special-educational-needs.provision' },
        { source: 'education', field: 'free-school-meals.takingMeals' },
      ]),
    );
    expect(event.basis).toMatch(/Art\. 9\(2\)\(g\)/);
  });

  it('is withheld, and the extract not read, where the agreement releases no education field', async () => {
    // The council's agreement releases housing and benefits for housing need, but nothing of education.
    const res = await ask('alice', `{ person(id: "${household.personId}") { id givenName ${educationSelection} } }`, {
      'x-purpose': 'HOUSING_NEED',
    }).expect(200);
    expect(res.body.data.person.givenName).toEqual(expect.any(String));
    expect(res.body.data.person.education).toBeNull();
    expect(res.body.data.person.services).toEqual({ education: null });
    const errors = res.body.errors as GraphqlError[];
    expect(errors.map((e) => [e.path?.join('.'), e.extensions.code])).toEqual(
      expect.arrayContaining([
        ['person.education', 'WITHHELD_BY_POLICY'],
        ['person.services.education', 'WITHHELD_BY_POLICY'],
      ]),
    );
    expect(hub.calls.get('education')).toEqual([]);
  });

  it('answers Free School Meals take-up from the extract, disclosing nothing behind the answer', async () => {
    await hub.app.get(OrganisationsService).create({ id: 'school', name: 'Northshire Academy', kind: 'other' }, admin);
    const agreements = hub.app.get(AgreementsService);
    await agreements.create(
      'school-meals-take-up',
      {
        title: 'Free School Meals take-up: answers only',
        parties: ['council', 'school'],
        purposes: ['BENEFIT_ELIGIBILITY'],
        lawfulBasis: LawfulBasis.PublicTask,
        releases: [{ purpose: 'BENEFIT_ELIGIBILITY', fields: ['hub.eligibility.freeSchoolMealsTakeUp'] }],
        roles: [Role.PartnerAgency],
        caseReferenceRequired: false,
        validFrom: new Date('2025-01-01T00:00:00Z'),
        reviewDate: '2027-01-01',
      },
      admin,
    );
    await agreements.setStatus('school-meals-take-up', 1, AgreementStatus.Active, 'test', admin);
    tokens.set('school', await hub.token(school));
    const check = (personId: string) =>
      ask(
        'school',
        `query($id: ID!) { checkEligibility(personId: $id, check: FREE_SCHOOL_MEALS_TAKE_UP) { result rule ruleVersion gaps { source } } }`,
        { 'x-purpose': 'BENEFIT_ELIGIBILITY' },
        { id: personId },
      ).expect(200);
    // Pupils linked to a person holding no other education record, by what the school's extract says.
    const single = (test: (p: Pupil) => boolean) =>
      pupils.find(
        (p) =>
          test(p) &&
          personOf.has(p.UPN) &&
          [...personOf.values()].filter((id) => id === personOf.get(p.UPN)).length === 1,
      );
    const notTaking = single((p) => p.FSMEligible === 'Y' && p.FSMTakenUp === 'N');
    const taking = single((p) => p.FSMEligible === 'Y' && p.FSMTakenUp === 'Y');
    expect(notTaking && taking).toBeTruthy();
    const yes = await check(personOf.get(notTaking!.UPN)!);
    expect(yes.body.errors).toBeUndefined();
    expect(yes.body.data.checkEligibility).toEqual({
      result: 'YES',
      rule: 'fsm-take-up-gap',
      ruleVersion: 1,
      gaps: [],
    });
    expect((await check(personOf.get(taking!.UPN)!)).body.data.checkEligibility.result).toBe('NO');
  });
});
