import { ModulesContainer } from '@nestjs/core';
import { listHandlerPolicies } from '../../src/engine/policy/policy-coverage';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Every resolver, field resolver and route of the real application declares an access policy: `@Public()`,
 * `@Roles(...)`, `Policy.subject(...)` or `Policy.parent()`. A new resolver without one fails this test
 * (and is refused at run time by the guard).
 */

jest.setTimeout(60_000);

describe('policy coverage', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  it('finds the resolvers and routes (the scan itself works)', () => {
    const handlers = listHandlerPolicies(hub.app.get(ModulesContainer)).map((h) => h.handler);
    expect(handlers).toEqual(
      expect.arrayContaining([
        'HubInfoResolver.hubInfo',
        'AgreementsResolver.createAgreement',
        'HealthController.live',
      ]),
    );
  });

  it('every resolver and route declares a policy', () => {
    const missing = listHandlerPolicies(hub.app.get(ModulesContainer))
      .filter((h) => !h.policy)
      .map((h) => h.handler);
    expect(missing).toEqual([]);
  });

  it('public handlers are few and named', () => {
    const open = listHandlerPolicies(hub.app.get(ModulesContainer))
      .filter((h) => h.policy?.kind === 'public')
      .map((h) => h.handler);
    expect(open).toEqual(
      expect.arrayContaining(['HubInfoResolver.hubInfo', 'HealthController.check', 'HealthController.live']),
    );
    expect(open.every((name) => /^(HubInfoResolver|HealthController)\./.test(name))).toBe(true);
  });
});
