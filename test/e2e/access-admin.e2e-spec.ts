import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { accessStartup } from '../../src/access/access-startup';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { AppConfig } from '../../src/config/config';
import { APP_CONFIG } from '../../src/config/config.module';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { Role } from '../../src/engine/principal';
import { startTestHub, TestHub } from '../support/test-hub';

const PERSON = '33333333-3333-4333-8333-333333333333';

const content = (title: string, fields: string[]) => `{
  title: "${title}", parties: ["council", "police"], purposes: ["SAFEGUARDING"], lawfulBasis: PUBLIC_TASK,
  specialCategoryCondition: { article9: "g", schedule1Paragraph: 18 },
  releases: [{ purpose: "SAFEGUARDING", fields: ${JSON.stringify(fields)} }],
  roles: [PARTNER_AGENCY], caseReferenceRequired: true, validFrom: "2025-01-01T00:00:00Z", reviewDate: "2026-01-01"
}`;

jest.setTimeout(60_000);

describe('access admin API over HTTP with real tokens', () => {
  let hub: TestHub;
  const token = new Map<string, string>();

  beforeAll(async () => {
    hub = await startTestHub({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-admin-')) });
    const issuer = hub.app.get(DevTokenIssuer);
    token.set('admin', await issuer.issue({ subject: 'ash', organisation: 'council', roles: [Role.Admin] }));
    token.set('dpo', await issuer.issue({ subject: 'dee', organisation: 'council', roles: [Role.Dpo] }));
    token.set(
      'caseworker',
      await issuer.issue({
        subject: 'carol',
        organisation: 'council',
        roles: [Role.Caseworker],
        team: 'housing-options',
      }),
    );
    token.set(
      'partner',
      await issuer.issue({ subject: 'police-client', organisation: 'police', roles: [Role.PartnerAgency] }),
    );
  });
  afterAll(() => hub.stop());

  const gql = async (who: string, query: string) => {
    const res = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${token.get(who)}`)
      .send({ query });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as {
      data: Record<string, ReturnType<typeof JSON.parse>> | null;
      errors?: { message: string; extensions: { code: string; details?: unknown } }[];
    };
  };

  it('lists the purposes catalogue to anyone signed in', async () => {
    const { data } = await gql('partner', '{ purposes { code } }');
    expect(data!.purposes.map((p: { code: string }) => p.code)).toEqual(
      expect.arrayContaining(['EARLY_HELP', 'SAFEGUARDING', 'HOUSING_NEED', 'BENEFIT_ELIGIBILITY', 'TELL_US_ONCE']),
    );
  });

  it('lets an admin create organisations and a draft agreement, and refuses others', async () => {
    const org = await gql(
      'admin',
      'mutation { createOrganisation(id: "council", name: "Northshire Council", kind: COUNCIL) { id kind } }',
    );
    expect(org.data!.createOrganisation).toEqual({ id: 'council', kind: 'COUNCIL' });
    await gql('admin', 'mutation { createOrganisation(id: "police", name: "Northshire Police", kind: POLICE) { id } }');

    const refused = await gql(
      'caseworker',
      `mutation { createAgreement(id: "police-safeguarding", content: ${content('x', [])}) { id } }`,
    );
    expect(refused.errors![0].extensions.code).toBe('FORBIDDEN');

    const created = await gql(
      'admin',
      `mutation { createAgreement(id: "police-safeguarding", content: ${content('Police safeguarding', ['hub.identity.givenName'])}) { id version status createdBy releases { purpose fields } } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createAgreement).toEqual({
      id: 'police-safeguarding',
      version: 1,
      status: 'DRAFT',
      createdBy: 'ash',
      releases: [{ purpose: 'SAFEGUARDING', fields: ['hub.identity.givenName'] }],
    });
  });

  it('refuses an invalid agreement with every problem named', async () => {
    const res = await gql(
      'dpo',
      `mutation { createAgreement(id: "bad", content: {
        title: "Bad", parties: ["nobody"], purposes: ["SAFEGUARDING"], lawfulBasis: PUBLIC_TASK,
        releases: [{ purpose: "EARLY_HELP", fields: ["social-care.adult-social-care.caseType", "rent"] }],
        roles: [CASEWORKER], caseReferenceRequired: false, validFrom: "2025-01-01T00:00:00Z", reviewDate: "soon" }) { id } }`,
    );
    expect(res.errors![0].extensions.code).toBe('INVALID_ACCESS_RECORD');
    expect(res.errors![0].extensions.details).toEqual({
      problems: expect.arrayContaining([
        'party nobody is not a known organisation',
        'fields are released for EARLY_HELP, which the agreement does not permit',
        'rent is not a field reference (source.category.field)',
        'special-category data (e.g. social care) is released, so an Art. 9(2) condition is required',
        'reviewDate must be a date (YYYY-MM-DD)',
      ]),
    });
  });

  it('versions an agreement without rewriting the old version, and supersedes it on activation', async () => {
    const activated = await gql(
      'dpo',
      'mutation { setAgreementStatus(id: "police-safeguarding", version: 1, status: ACTIVE, reason: "Signed 1 May") { status statusChangedBy } }',
    );
    expect(activated.data!.setAgreementStatus).toEqual({ status: 'ACTIVE', statusChangedBy: 'dee' });

    const v2 = await gql(
      'admin',
      `mutation { addAgreementVersion(id: "police-safeguarding", content: ${content('Police safeguarding (2)', ['hub.identity.givenName', 'hub.identity.dateOfBirth'])}) { version status } }`,
    );
    expect(v2.data!.addAgreementVersion).toEqual({ version: 2, status: 'DRAFT' });
    await gql(
      'dpo',
      'mutation { setAgreementStatus(id: "police-safeguarding", version: 2, status: ACTIVE, reason: "Variation agreed") { status } }',
    );

    const versions = await gql(
      'partner',
      '{ agreementVersions(id: "police-safeguarding") { version status title releases { fields } } }',
    );
    expect(versions.data!.agreementVersions).toEqual([
      {
        version: 2,
        status: 'ACTIVE',
        title: 'Police safeguarding (2)',
        releases: [{ fields: ['hub.identity.givenName', 'hub.identity.dateOfBirth'] }],
      },
      {
        version: 1,
        status: 'SUPERSEDED',
        title: 'Police safeguarding',
        releases: [{ fields: ['hub.identity.givenName'] }],
      },
    ]);
    const latest = await gql('partner', '{ agreement(id: "police-safeguarding") { version } }');
    expect(latest.data!.agreement.version).toBe(2);
  });

  it('refuses a status change the lifecycle does not allow', async () => {
    const res = await gql(
      'dpo',
      'mutation { setAgreementStatus(id: "police-safeguarding", version: 1, status: ACTIVE, reason: "try") { status } }',
    );
    expect(res.errors![0].extensions.code).toBe('INVALID_TRANSITION');
  });

  it('records consent, objections and case assignments with the right roles', async () => {
    // Consent is recorded for a person the index holds, by staff who hold their case (or the DPO).
    await hub.db.dataSource.query('insert into person (id) values ($1)', [PERSON]);
    const selfAssign = await gql(
      'caseworker',
      `mutation { assignCase(input: { subjectKind: PERSON, subjectId: "${PERSON}", team: "housing-options" }) { id } }`,
    );
    expect(selfAssign.errors![0].extensions.code).toBe('FORBIDDEN');
    const assigned = await gql(
      'admin',
      `mutation { assignCase(input: { subjectKind: PERSON, subjectId: "${PERSON}", team: "housing-options" }) { id team } }`,
    );
    expect(assigned.data!.assignCase.team).toBe('housing-options');
    const listed = await gql('dpo', `{ caseAssignments(subjectId: "${PERSON}") { team validTo } }`);
    expect(listed.data!.caseAssignments).toEqual([{ team: 'housing-options', validTo: null }]);

    const consent = await gql(
      'caseworker',
      `mutation { recordConsent(input: { personId: "${PERSON}", status: GIVEN, purpose: "EARLY_HELP", evidence: "EDRMS:EH-1" }) { id status recordedBy } }`,
    );
    expect(consent.data!.recordConsent).toMatchObject({ status: 'GIVEN', recordedBy: 'carol' });

    const unknownPurpose = await gql(
      'caseworker',
      `mutation { recordConsent(input: { personId: "${PERSON}", status: GIVEN, purpose: "NOPE", evidence: "EDRMS:EH-1" }) { id } }`,
    );
    expect(unknownPurpose.errors![0].extensions.code).toBe('INVALID_ACCESS_RECORD');
    expect(unknownPurpose.errors![0].message).toMatch(/unknown purpose or organisation/);

    const readByCaseworker = await gql('caseworker', `{ consents(personId: "${PERSON}") { id } }`);
    expect(readByCaseworker.errors![0].extensions.code).toBe('FORBIDDEN');
    const readByDpo = await gql('dpo', `{ consents(personId: "${PERSON}") { status evidence } }`);
    expect(readByDpo.data!.consents).toEqual([{ status: 'GIVEN', evidence: 'EDRMS:EH-1' }]);
  });

  it('refuses a break-glass request without a proper reason', async () => {
    const res = await gql(
      'caseworker',
      `mutation { breakGlass(input: { personId: "${PERSON}", purpose: "EARLY_HELP", minutes: 30, reason: "urgent" }) { id } }`,
    );
    expect(res.errors![0].extensions.code).toBe('INVALID_ACCESS_RECORD');
    expect(res.errors![0].message).toMatch(/at least 30 characters/);
  });

  it('prints ready tokens for the demo personas at start, and seeds the embedded default once', async () => {
    const config = hub.app.get<AppConfig>(APP_CONFIG);
    const embedded = { mode: 'embedded' } as DatabaseRuntime;
    const lines = await accessStartup(hub.app, config, embedded);
    expect(lines[0]).toMatch(
      /Demo agreements loaded: council-early-help, nhs-safeguarding, advice-benefits, identity-data-quality, council-tell-us-once, nhs-tell-us-once-deaths/,
    );
    const tokens = lines.filter((line) => /^ {4}[\w-]+\.[\w-]+\.[\w-]+$/.test(line)).map((line) => line.trim());
    expect(tokens).toHaveLength(7);
    for (const bearer of tokens) {
      const res = await request(hub.server)
        .post('/graphql')
        .set('authorization', `Bearer ${bearer}`)
        .send({ query: '{ me { roles } }' })
        .expect(200);
      expect(res.body.data.me.roles).toHaveLength(1);
    }
    expect(
      (await accessStartup(hub.app, config, embedded)).some((line) => line.includes('Demo agreements loaded')),
    ).toBe(false);
  });
});
