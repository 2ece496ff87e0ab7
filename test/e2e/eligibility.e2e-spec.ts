import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { AgreementsService } from '../../src/access/agreements/agreements.service';
import { ConsentService } from '../../src/access/consent/consent.service';
import { OrganisationsService } from '../../src/access/organisations/organisations.service';
import { AgreementStatus, LawfulBasis } from '../../src/access/policy/policy.types';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Principal, Role } from '../../src/engine/principal';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { sandboxDataFile } from '../../src/sandbox/borough-files';
import { IdentitySyncService } from '../../src/sources/sync/identity-sync.service';
import type { BenefitsData } from '../../modules/benefits/sandbox/benefits-store';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { sourcesConfigFile } from '../support/hub-process';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(180_000);

const admin: Principal = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const dpoPrincipal: Principal = { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] };
const school: DevTokenRequest = {
  subject: 'client-school',
  organisation: 'school',
  roles: [Role.PartnerAgency],
  client: 'school-mis',
};
const charity: DevTokenRequest = {
  subject: 'client-advice',
  organisation: 'advice-charity',
  roles: [Role.PartnerAgency],
  client: 'advice-crm',
};
const nhs: DevTokenRequest = { subject: 'client-nhs', organisation: 'nhs-trust', roles: [Role.PartnerAgency] };
const BE = { 'x-purpose': 'BENEFIT_ELIGIBILITY' };

const answerQuery = `query($id: ID!, $check: EligibilityCheck!) {
  checkEligibility(personId: $id, check: $check) { check result rule ruleVersion evaluatedAt gaps { source reason fields } }
}`;

describe('checkEligibility: answers without disclosure, over HTTP', () => {
  let sources: SandboxSources;
  let hub: TestHub;
  let benefits: BenefitsData;
  const tokens = new Map<string, string>();
  /** People of the synced, matched borough, each with exactly one benefits record of the kind named. */
  const people: Record<'liveClaimant' | 'liveDependant' | 'endedClaimant' | 'noBenefits', string> = {} as never;

  const ask = (who: string, id: string, check: string, headers: Record<string, string> = BE) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set(headers)
      .send({ query: answerQuery, variables: { id, check } });

  const events = (personId: string) =>
    hub.db.dataSource.query(
      `select operation, decision, persons, released, withheld, purpose, agreement_id, agreement_version, basis, consent_id, reasons, detail, request_id
         from audit_event where operation = 'eligibility.check' and $1 = any(persons) order by seq`,
      [personId],
    );

  beforeAll(async () => {
    sources = await startSandboxSources({ households: 80, seed: 'eligibility' });
    hub = await startTestHub({
      SOURCES_CONFIG: await sourcesConfigFile(sources),
      HUB_DATA_DIR: join(sources.dir, 'hub'),
      SINGLE_VIEW_BREAKER_THRESHOLD: '2',
      SINGLE_VIEW_BREAKER_HALF_OPEN_MS: '500',
    });
    await hub.app.get(AccessSeedService).seedDemo();
    await hub.app
      .get(OrganisationsService)
      .create({ id: 'school', name: 'Northshire Primary School', kind: 'other' }, admin);
    const agreements = hub.app.get(AgreementsService);
    const answersOnly = async (id: string, parties: string[], lawfulBasis: LawfulBasis, fields: string[]) => {
      await agreements.create(
        id,
        {
          title: `${id}: answers only`,
          parties,
          purposes: ['BENEFIT_ELIGIBILITY'],
          lawfulBasis,
          releases: [{ purpose: 'BENEFIT_ELIGIBILITY', fields }],
          roles: [Role.PartnerAgency],
          caseReferenceRequired: false,
          validFrom: new Date('2025-01-01T00:00:00Z'),
          reviewDate: '2027-01-01',
        },
        admin,
      );
      await agreements.setStatus(id, 1, AgreementStatus.Active, 'test', admin);
    };
    await answersOnly('school-meals-answers', ['council', 'school'], LawfulBasis.PublicTask, [
      'hub.eligibility.freeSchoolMeals',
    ]);
    await answersOnly('advice-eligibility-answers', ['council', 'advice-charity'], LawfulBasis.Consent, [
      'hub.eligibility.councilTaxReduction',
    ]);
    const issuer = hub.app.get(DevTokenIssuer);
    for (const [name, who] of Object.entries({ school, charity, nhs })) tokens.set(name, await issuer.issue(who));

    const summaries = await hub.app.get(IdentitySyncService).sync();
    if (summaries.some((s) => s.status !== 'complete')) throw new Error(`sync failed: ${JSON.stringify(summaries)}`);
    await hub.app.get(IdentityIndexService).matchPending();

    // Expectations come from the benefits system's own data, not from the rule under test.
    benefits = JSON.parse(await readFile(sandboxDataFile(sources.dir, 'benefits'), 'utf8')) as BenefitsData;
    const claims = new Map(benefits.claims.map((c) => [c.claimReference, c]));
    const linked: { person_id: string; source: string; source_key: string }[] = await hub.db.dataSource.query(
      `select l.person_id::text, r.source, r.source_key from person_link l join source_record r on r.id = l.source_record_id join person p on p.id = l.person_id
        where p.status = 'active' and not r.deleted`,
    );
    const byPerson = new Map<string, { source: string; key: string }[]>();
    for (const row of linked)
      byPerson.set(row.person_id, [
        ...(byPerson.get(row.person_id) ?? []),
        { source: row.source, key: row.source_key },
      ]);
    const benefitsRecords = (personId: string) =>
      byPerson
        .get(personId)!
        .filter((r) => r.source === 'benefits')
        .map((r) => {
          const party = benefits.parties.find((p) => p.partyId === r.key)!;
          return { role: party.partyRole, status: claims.get(party.claimReference)!.status };
        });
    const find = (test: (records: { role?: string; status: string }[]) => boolean) =>
      [...byPerson.keys()].find((id) => test(benefitsRecords(id)));
    const one = (role: string, status: string) => (records: { role?: string; status: string }[]) =>
      records.length === 1 && records[0].role === role && records[0].status === status;
    people.liveClaimant = find(one('CLMT', 'LIVE'))!;
    people.liveDependant = find(one('DEP', 'LIVE'))!;
    people.endedClaimant = find(
      (records) =>
        records.length > 0 && records.every((r) => r.status === 'ENDED') && records.some((r) => r.role === 'CLMT'),
    )!;
    people.noBenefits = [...byPerson.entries()].find(([, records]) =>
      records.every((r) => r.source !== 'benefits'),
    )![0];
    const missing = Object.entries(people).filter(([, id]) => !id);
    if (missing.length > 0) throw new Error(`the borough has no ${missing.map(([kind]) => kind).join(', ')}`);
  });
  afterAll(async () => {
    await hub?.stop();
    await sources?.close();
  });

  /** Every value of the person's benefits records that the response must never carry. */
  const benefitsValues = (personId: string): Promise<string[]> =>
    hub.db.dataSource
      .query(
        `select r.source_key from person_link l join source_record r on r.id = l.source_record_id where l.person_id = $1 and r.source = 'benefits'`,
        [personId],
      )
      .then((rows: { source_key: string }[]) =>
        rows.flatMap(({ source_key }) => {
          const party = benefits.parties.find((p) => p.partyId === source_key)!;
          const claim = benefits.claims.find((c) => c.claimReference === party.claimReference)!;
          return [
            party.partyId,
            claim.claimReference,
            claim.awardStartDate,
            claim.awardEndDate,
            claim.weeklyCouncilTaxReduction,
            claim.weeklyHousingBenefit,
            party.person?.surname,
          ]
            .filter((v) => v !== null && v !== undefined && v !== '')
            .map(String);
        }),
      );

  it('answers a school YES for a dependant on a live award, with the rule and version and nothing else', async () => {
    const res = await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.checkEligibility).toEqual({
      check: 'FREE_SCHOOL_MEALS',
      result: 'YES',
      rule: 'fsm-means-tested-award',
      ruleVersion: 1,
      evaluatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      gaps: [],
    });
    const text = JSON.stringify(res.body) + JSON.stringify(res.headers);
    const values = await benefitsValues(people.liveDependant);
    expect(values.length).toBeGreaterThan(2);
    for (const value of values) expect(text).not.toContain(value);
    for (const name of ['claimRef', 'weeklyAmount', 'awardStartDate', 'dependant', 'live'])
      expect(text).not.toContain(name);
  });

  it('writes one audit event naming the check, rule version and result class, and no source field', async () => {
    const before = (await events(people.liveClaimant)).length;
    await ask('school', people.liveClaimant, 'FREE_SCHOOL_MEALS').set('x-request-id', 'fsm-audit-1').expect(200);
    const all = await events(people.liveClaimant);
    expect(all).toHaveLength(before + 1);
    const event = all.at(-1);
    expect(event).toMatchObject({
      decision: 'allow',
      persons: [people.liveClaimant],
      released: [{ source: 'hub', field: 'eligibility.freeSchoolMeals' }],
      withheld: [],
      purpose: 'BENEFIT_ELIGIBILITY',
      agreement_id: 'school-meals-answers',
      agreement_version: 1,
      basis: 'UK GDPR Art. 6(1)(e) public task',
      request_id: 'fsm-audit-1',
      detail: { check: 'FREE_SCHOOL_MEALS', rule: 'fsm-means-tested-award', ruleVersion: 1, result: 'NO' },
    });
    const stored = JSON.stringify(event);
    for (const value of await benefitsValues(people.liveClaimant)) expect(stored).not.toContain(value);
    expect(stored).not.toMatch(/benefits/);
  });

  it('answers NO for an ended claim and for someone the benefits system does not know', async () => {
    const consent = hub.app.get(ConsentService);
    for (const personId of [people.endedClaimant, people.noBenefits, people.liveClaimant]) {
      await consent.recordConsent(
        {
          personId,
          status: 'given',
          purpose: 'BENEFIT_ELIGIBILITY',
          recipientOrganisation: 'advice-charity',
          evidence: 'EDRMS:AC-1',
        },
        dpoPrincipal,
      );
    }
    const ended = await ask('charity', people.endedClaimant, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(ended.body.data.checkEligibility).toMatchObject({ result: 'NO', rule: 'ctr-active-award', ruleVersion: 1 });
    const unknownToBenefits = await ask('charity', people.noBenefits, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(unknownToBenefits.body.data.checkEligibility).toMatchObject({ result: 'NO', gaps: [] });
    const live = await ask('charity', people.liveClaimant, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(live.body.data.checkEligibility).toMatchObject({ result: 'YES' });
    expect((await events(people.liveClaimant)).at(-1)).toMatchObject({
      agreement_id: 'advice-eligibility-answers',
      consent_id: expect.any(String),
      basis: 'UK GDPR Art. 6(1)(a) consent',
    });
  });

  it('gives nothing to a caller whose agreements do not release the answer, and audits the refusal', async () => {
    const nhsAsks = await ask('nhs', people.liveDependant, 'FREE_SCHOOL_MEALS', {
      'x-purpose': 'SAFEGUARDING',
      'x-case-reference': 'SG-1',
    }).expect(200);
    expect(nhsAsks.body.data).toBeNull();
    expect(nhsAsks.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    expect(nhsAsks.body.errors[0].message).toMatch(/not released by agreement nhs-safeguarding v1/);

    const wrongCheck = await ask('school', people.liveClaimant, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(wrongCheck.body.data).toBeNull();
    expect(wrongCheck.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    expect((await events(people.liveClaimant)).at(-1)).toMatchObject({
      decision: 'deny',
      released: [],
      withheld: [{ source: 'hub', field: 'eligibility.councilTaxReduction' }],
      detail: { check: 'COUNCIL_TAX_REDUCTION', rule: 'ctr-active-award', ruleVersion: 1 },
    });
  });

  it('refuses under a consent-based agreement until the person consents, and after an objection to the input source', async () => {
    const refused = await ask('charity', people.liveDependant, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(refused.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    expect(refused.body.errors[0].message).toMatch(/consent/);

    await hub.app.get(ConsentService).recordObjection(
      {
        personId: people.liveClaimant,
        kind: 'objection',
        source: 'benefits',
        recipientOrganisation: 'advice-charity',
        reason: 'Objected by letter to the charity seeing benefits data',
        evidence: 'POST:2025/06/0142',
      },
      dpoPrincipal,
    );
    const objected = await ask('charity', people.liveClaimant, 'COUNCIL_TAX_REDUCTION').expect(200);
    expect(objected.body.data).toBeNull();
    expect(objected.body.errors[0].message).toMatch(/derived from benefits data: objection/);
  });

  it('needs a purpose, and refuses a role that may not ask', async () => {
    const noPurpose = await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS', {}).expect(200);
    expect(noPurpose.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    tokens.set(
      'dpo',
      await hub.app.get(DevTokenIssuer).issue({ subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] }),
    );
    const dpo = await ask('dpo', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200);
    expect(dpo.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('does not tell an unentitled caller whether a person id exists; tells an entitled one', async () => {
    const unknownId = '9f0c6d1e-0000-4000-8000-000000000000';
    const nhsAsks = await ask('nhs', unknownId, 'FREE_SCHOOL_MEALS').expect(200);
    expect(nhsAsks.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    const schoolAsks = await ask('school', unknownId, 'FREE_SCHOOL_MEALS').expect(200);
    expect(schoolAsks.body.errors[0].extensions.code).toBe('PERSON_NOT_FOUND');
    const badId = await ask('school', 'not-a-uuid', 'FREE_SCHOOL_MEALS').expect(200);
    expect(badId.body.errors[0].extensions.code).toBe('INVALID_PERSON_ID');
  });

  it('answers UNKNOWN, naming the source, when the benefits system is down, and audits it as such', async () => {
    sources.fail('benefits', { mode: '500' });
    try {
      const res = await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.checkEligibility).toMatchObject({
        result: 'UNKNOWN',
        gaps: [{ source: 'benefits', reason: 'SOURCE_UNAVAILABLE', fields: [] }],
      });
      expect((await events(people.liveDependant)).at(-1)).toMatchObject({
        decision: 'allow',
        detail: { result: 'UNKNOWN', gaps: [{ source: 'benefits', reason: 'SOURCE_UNAVAILABLE' }] },
      });
    } finally {
      sources.fail('benefits', undefined);
    }
    const again = await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200);
    expect(again.body.data.checkEligibility.result).toBe('YES');
  });

  it('answers for a merged person id about the surviving person', async () => {
    const [{ id: mergedId }] = await hub.db.dataSource.query(
      `insert into person (status, merged_into) values ('merged', $1) returning id::text`,
      [people.liveDependant],
    );
    const res = await ask('school', mergedId, 'FREE_SCHOOL_MEALS').expect(200);
    expect(res.body.data.checkEligibility.result).toBe('YES');
    expect((await events(mergedId)).at(-1).persons).toEqual([people.liveDependant, mergedId]);
  });

  it("stops asking a source that keeps failing (the single view's circuit breaker), and asks again once it recovers", async () => {
    const benefitsSystem = sources.sandbox('benefits');
    sources.fail('benefits', { mode: '500' });
    try {
      for (let i = 0; i < 2; i++)
        expect(
          (await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200)).body.data.checkEligibility
            .result,
        ).toBe('UNKNOWN');
      const before = benefitsSystem.requests;
      const open = await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200);
      expect(open.body.data.checkEligibility).toMatchObject({
        result: 'UNKNOWN',
        gaps: [{ source: 'benefits', reason: 'SOURCE_UNAVAILABLE' }],
      });
      expect(benefitsSystem.requests).toBe(before);
    } finally {
      sources.fail('benefits', undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(
      (await ask('school', people.liveDependant, 'FREE_SCHOOL_MEALS').expect(200)).body.data.checkEligibility.result,
    ).toBe('YES');
  });
});
