import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { ConsentService } from '../../src/access/consent/consent.service';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { AccessTestHub, startAccessTestHub } from '../support/access-test-hub';
import { PERSON_1, PERSON_2, PolicyProbeModule, ProbeResolver } from '../support/policy-probe.module';

const admin = { subject: 'admin', organisation: 'council', roles: [Role.Admin] };
const dpoPrincipal = { subject: 'dpo', organisation: 'council', roles: [Role.Dpo] };
const accountManager: DevTokenRequest = {
  subject: 'am-alice',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const nhs: DevTokenRequest = { subject: 'nhs-client', organisation: 'nhs-trust', roles: [Role.PartnerAgency] };
const dpo: DevTokenRequest = { subject: 'dpo', organisation: 'council', roles: [Role.Dpo] };

jest.setTimeout(60_000);

describe('policy enforcement at the GraphQL field level', () => {
  let hub: AccessTestHub;
  let probe: ProbeResolver;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    hub = await startAccessTestHub([PolicyProbeModule]);
    probe = hub.app.get(ProbeResolver);
    await hub.app.get(AccessSeedService).seedDemo();
    // Consent, objections and break-glass are recorded only for people the person index holds.
    await hub.db.dataSource.query('insert into person (id) values ($1), ($2)', [PERSON_1, PERSON_2]);
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'person', subjectId: PERSON_1, team: 'early-help-north', userSubject: 'am-alice' }, admin);
    const issuer = hub.app.get(DevTokenIssuer);
    for (const [name, who] of Object.entries({ accountManager, nhs, dpo })) tokens.set(name, await issuer.issue(who));
  });
  afterAll(() => hub.stop());
  beforeEach(() => hub.audit.clear());

  const ask = (who: string, query: string, headers: Record<string, string> = {}) =>
    request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${tokens.get(who)}`)
      .set(headers)
      .send({ query });

  const personQuery = (id: string, selection: string) => `{ probePerson(id: "${id}") { ${selection} } }`;

  it('releases everything the agreement, caseload and purpose allow, and audits it with the agreement version', async () => {
    const res = await ask(
      'accountManager',
      personQuery(PERSON_1, 'id givenName dateOfBirth tenancy { tenure } careTypes tenancyStart'),
      {
        'x-purpose': 'EARLY_HELP',
      },
    ).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.probePerson).toEqual({
      id: PERSON_1,
      givenName: 'Ada',
      dateOfBirth: '1980-02-03',
      tenancy: { tenure: 'secure' },
      careTypes: ['child-in-need'],
      tenancyStart: '2019-04-01',
    });
    const [event] = hub.audit.of('person.view');
    expect(event).toMatchObject({
      decision: 'allow',
      purpose: 'EARLY_HELP',
      agreement: { id: 'council-early-help', version: 1 },
      subjects: { persons: [PERSON_1] },
      basis: 'UK GDPR Art. 6(1)(e) public task; UK GDPR Art. 9(2)(g) with DPA 2018 Sch. 1 para 18',
      justification: { relationshipId: expect.any(String) },
      actor: expect.objectContaining({ subject: 'am-alice' }),
    });
    expect(event.released).toEqual(
      expect.arrayContaining([
        { source: 'hub', field: 'identity.givenName' },
        { source: 'housing', field: 'tenancy.tenure' },
        { source: 'housing', field: 'tenancy.startDate' },
        { source: 'social-care', field: 'children-social-care.caseType' },
      ]),
    );
    expect(event.withheld).toEqual([]);
  });

  it('refuses a request without a purpose, before the resolver runs', async () => {
    const before = probe.calls;
    const res = await ask('accountManager', personQuery(PERSON_1, 'givenName')).expect(200);
    expect(res.body.data.probePerson).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    expect(probe.calls).toBe(before);
    expect(hub.audit.of('person.view')).toEqual([]);
  });

  it('refuses an unknown purpose with its own code', async () => {
    const res = await ask('accountManager', personQuery(PERSON_1, 'givenName'), { 'x-purpose': 'MARKETING' }).expect(
      200,
    );
    expect(res.body.errors[0].extensions.code).toBe('UNKNOWN_PURPOSE');
    expect(res.body.data.probePerson).toBeNull();
  });

  it('denies person-level detail off the caseload without running the resolver', async () => {
    const before = probe.calls;
    const res = await ask('accountManager', personQuery(PERSON_2, 'givenName dateOfBirth'), {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(res.body.data.probePerson).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    expect(res.body.errors[0].message).toMatch(/no legitimate relationship/);
    expect(probe.calls).toBe(before);
    expect(hub.audit.of('person.view')[0]).toMatchObject({ decision: 'deny', subjects: { persons: [PERSON_2] } });
  });

  it('answers only that a match exists and which team holds it, nulling the rest with reasons', async () => {
    const res = await ask('accountManager', personQuery(PERSON_2, 'id exists teams givenName'), {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(res.body.data.probePerson).toEqual({
      id: PERSON_2,
      exists: true,
      teams: ['housing-options'],
      givenName: null,
    });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: ['probePerson', 'givenName'],
        extensions: expect.objectContaining({
          code: 'WITHHELD_BY_POLICY',
          details: { field: 'hub.identity.givenName', reason: expect.stringMatching(/no legitimate relationship/) },
        }),
      }),
    ]);
    expect(hub.audit.of('person.view')[0]).toMatchObject({
      decision: 'allow-with-redactions',
      withheld: [{ source: 'hub', field: 'identity.givenName' }],
    });
  });

  it('decides a search per result: one person in full, the other existence only', async () => {
    const res = await ask('accountManager', '{ probeSearch { id exists givenName } }', {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(res.body.data.probeSearch).toEqual([
      { id: PERSON_1, exists: true, givenName: 'Ada' },
      { id: PERSON_2, exists: true, givenName: null },
    ]);
    expect(res.body.errors.map((e: { path: unknown[] }) => e.path)).toEqual([['probeSearch', 1, 'givenName']]);
    expect(hub.audit.of('search').map((e) => [e.subjects?.persons, e.decision])).toEqual([
      [[PERSON_1], 'allow'],
      [[PERSON_2], 'allow-with-redactions'],
    ]);
  });

  it('holds a partner to its agreement: case reference required, allow-list per field', async () => {
    const noRef = await ask('nhs', personQuery(PERSON_1, 'givenName'), { 'x-purpose': 'SAFEGUARDING' }).expect(200);
    expect(noRef.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
    expect(noRef.body.errors[0].message).toMatch(/case reference/);

    const res = await ask('nhs', personQuery(PERSON_1, 'givenName tenancy { tenure rentAccountStatus } careTypes'), {
      'x-purpose': 'SAFEGUARDING',
      'x-case-reference': 'SG-2025-0042',
    }).expect(200);
    expect(res.body.data.probePerson).toEqual({
      givenName: 'Ada',
      tenancy: { tenure: 'secure', rentAccountStatus: null },
      careTypes: ['child-in-need'],
    });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions.details).toEqual({
      field: 'housing.tenancy.rentAccountStatus',
      reason: expect.stringContaining('not released by agreement nhs-safeguarding v1'),
    });
    expect(hub.audit.of('person.view').at(-1)).toMatchObject({
      caseReference: 'SG-2025-0042',
      agreement: { id: 'nhs-safeguarding', version: 1 },
    });
  });

  it('withholds a field that declares no policy under a subject (fail closed)', async () => {
    const res = await ask('accountManager', personQuery(PERSON_1, 'tenancy { tenure undeclared }'), {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(res.body.data.probePerson.tenancy).toEqual({ tenure: 'secure', undeclared: null });
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'WITHHELD_BY_POLICY',
      details: { field: 'ProbeTenancy.undeclared' },
    });
  });

  it('does not run a withheld field resolver (no source call for withheld data)', async () => {
    const before = probe.fieldCalls;
    const res = await ask('accountManager', personQuery(PERSON_2, 'exists tenancyStart'), {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(res.body.data.probePerson).toEqual({ exists: true, tenancyStart: null });
    expect(probe.fieldCalls).toBe(before);
  });

  it('refuses a resolver that declares no policy', async () => {
    const res = await ask('accountManager', '{ probeWithoutPolicy }').expect(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('NO_POLICY');
  });

  it('opens a person for a break-glass grant, then the DPO reviews it', async () => {
    const grant = await ask(
      'accountManager',
      `mutation { breakGlass(input: { personId: "${PERSON_2}", purpose: "EARLY_HELP", minutes: 30, reason: "Child reported missing tonight; the allocated worker is unreachable" }) { id expiresAt reviewStatus } }`,
    ).expect(200);
    const id = grant.body.data.breakGlass.id;
    expect(grant.body.data.breakGlass.reviewStatus).toBe('PENDING');
    expect(hub.audit.of('break-glass.grant')[0]).toMatchObject({
      justification: { breakGlassId: id },
      subjects: { persons: [PERSON_2] },
    });

    const res = await ask('accountManager', personQuery(PERSON_2, 'givenName'), {
      'x-purpose': 'EARLY_HELP',
      'x-break-glass': id,
    }).expect(200);
    expect(res.body.data.probePerson).toEqual({ givenName: 'Bo' });
    expect(hub.audit.of('person.view').at(-1)).toMatchObject({
      decision: 'allow',
      justification: { breakGlassId: id },
    });

    const queue = await ask('dpo', '{ breakGlassReviewQueue { id reason } }').expect(200);
    expect(queue.body.data.breakGlassReviewQueue.map((g: { id: string }) => g.id)).toContain(id);
    const reviewed = await ask(
      'dpo',
      `mutation { reviewBreakGlass(input: { id: "${id}", outcome: NOT_JUSTIFIED, note: "Could have waited for the duty team" }) { reviewStatus revokedAt } }`,
    ).expect(200);
    expect(reviewed.body.data.reviewBreakGlass).toEqual({
      reviewStatus: 'NOT_JUSTIFIED',
      revokedAt: expect.any(String),
    });

    const after = await ask('accountManager', personQuery(PERSON_2, 'givenName'), {
      'x-purpose': 'EARLY_HELP',
      'x-break-glass': id,
    }).expect(200);
    expect(after.body.errors[0].extensions.code).toBe('WITHHELD_BY_POLICY');
  });

  it('stops processing once the person objects, whatever the lawful basis', async () => {
    const objection = await hub.app.get(ConsentService).recordObjection(
      {
        personId: PERSON_1,
        kind: 'objection',
        reason: 'Asked by letter dated 1 June',
        evidence: 'POST:2025/06/0001',
      },
      dpoPrincipal,
    );
    const res = await ask('accountManager', personQuery(PERSON_1, 'givenName'), { 'x-purpose': 'EARLY_HELP' }).expect(
      200,
    );
    expect(res.body.errors[0].message).toMatch(/objection \(UK GDPR Art\. 21\)/);
    await hub.app.get(ConsentService).liftObjection(objection.id, 'Withdrawn by the person', dpoPrincipal);
    const lifted = await ask('accountManager', personQuery(PERSON_1, 'givenName'), {
      'x-purpose': 'EARLY_HELP',
    }).expect(200);
    expect(lifted.body.data.probePerson).toEqual({ givenName: 'Ada' });
  });

  it('releases nothing when the audit trail cannot take the event (fail closed)', async () => {
    const before = probe.calls;
    hub.audit.failWith = new Error('audit store down');
    try {
      const res = await ask('accountManager', personQuery(PERSON_1, 'givenName'), { 'x-purpose': 'EARLY_HELP' }).expect(
        200,
      );
      expect(res.body.data.probePerson).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      expect(JSON.stringify(res.body)).not.toContain('Ada');
      expect(probe.calls).toBe(before);
    } finally {
      hub.audit.failWith = undefined;
    }
  });
});
