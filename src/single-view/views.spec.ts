import type { Decision } from '../access/policy/policy.types';
import { jointDecision, maskIdentifier } from './views';

const decision = (released: string[], withheld: [string, string, ('request' | 'person')?][] = []): Decision => ({
  effect: withheld.length ? 'allow-with-redactions' : 'allow',
  released,
  withheld: withheld.map(([field, reason, about]) => ({ field, reason, ...(about ? { about } : {}) })),
  reasons: [],
});

describe('household-level decisions', () => {
  it('release a field only when every current member releases it, with a reason that names no member', () => {
    const joint = jointDecision([
      decision(['hub.identity.uprn', 'hub.household.memberCount']),
      decision(
        ['hub.identity.uprn'],
        [['hub.household.memberCount', 'objection (UK GDPR Art. 21) o-1 covers this', 'person']],
      ),
    ]);
    expect(joint.released).toEqual(['hub.identity.uprn']);
    expect(joint.withheld).toEqual([
      {
        field: 'hub.household.memberCount',
        reason: 'not released for every current member of the household',
        about: 'request',
      },
    ]);
    expect(joint.effect).toBe('allow-with-redactions');
  });

  it('give a reason about the request as it is when every member has it, and never one about a member', () => {
    const agreement = 'not released by agreement nhs-safeguarding v1 for SAFEGUARDING';
    const joint = jointDecision([
      decision(
        [],
        [
          ['hub.household.memberCount', agreement, 'request'],
          ['hub.identity.postcode', 'consent withdrawn (c-7)', 'person'],
        ],
      ),
      decision(
        [],
        [
          ['hub.household.memberCount', agreement, 'request'],
          ['hub.identity.postcode', 'consent withdrawn (c-7)', 'person'],
        ],
      ),
    ]);
    expect(joint.withheld).toEqual([
      { field: 'hub.household.memberCount', reason: agreement, about: 'request' },
      {
        field: 'hub.identity.postcode',
        reason: 'not released for every current member of the household',
        about: 'request',
      },
    ]);
    // One member alone: their own reason would name their record; so would a reason that does not say what it is about.
    for (const about of ['person', undefined] as const) {
      const alone = jointDecision([
        decision([], [['hub.identity.postcode', 'objection (UK GDPR Art. 21) o-9 covers this', about]]),
      ]);
      expect(alone.withheld[0].reason).toBe('not released for every current member of the household');
    }
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
