import type { Decision } from '../access/policy/policy.types';
import { jointDecision, maskIdentifier } from './views';

const decision = (released: string[], withheld: [string, string][] = []): Decision => ({
  effect: withheld.length ? 'allow-with-redactions' : 'allow',
  released,
  withheld: withheld.map(([field, reason]) => ({ field, reason })),
  reasons: [],
});

describe('household-level decisions', () => {
  it('release a field only when every current member releases it, with the reason it was withheld', () => {
    const joint = jointDecision([
      decision(['hub.identity.uprn', 'hub.household.memberCount']),
      decision(['hub.identity.uprn'], [['hub.household.memberCount', 'objection (UK GDPR Art. 21) o-1 covers this']]),
    ]);
    expect(joint.released).toEqual(['hub.identity.uprn']);
    expect(joint.withheld).toEqual([{ field: 'hub.household.memberCount', reason: 'objection (UK GDPR Art. 21) o-1 covers this' }]);
    expect(joint.effect).toBe('allow-with-redactions');
  });

  it('release nothing for a household with no current member', () => {
    expect(jointDecision([])).toMatchObject({ effect: 'deny', released: [] });
  });
});

describe('masked identifiers', () => {
  it('keep only the last three characters', () => {
    expect(maskIdentifier('QQ123456C')).toBe('******56C');
    expect(maskIdentifier('9434765919')).toBe('*******919');
    expect(maskIdentifier(undefined)).toBeUndefined();
  });
});
