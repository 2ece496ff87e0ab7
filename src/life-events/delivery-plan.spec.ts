import { AgreementFact, AgreementStatus, LawfulBasis } from '../access/policy/policy.types';
import { Role } from '../engine/principal';
import { deliveryKey, LIFE_EVENT_FIELDS, planDeliveries, releasedPayload, Subscription } from './delivery-plan';

const NOW = new Date('2026-06-15T10:00:00Z');
const agreement = (over: Partial<AgreementFact>): AgreementFact => ({
  id: 'council-tell-us-once',
  version: 1,
  title: 'Tell Us Once',
  parties: ['council'],
  purposes: ['TELL_US_ONCE'],
  lawfulBasis: LawfulBasis.PublicTask,
  releases: { TELL_US_ONCE: [LIFE_EVENT_FIELDS.type, LIFE_EVENT_FIELDS.date, 'hub.identity.familyName'] },
  roles: [Role.AccountManager],
  caseReferenceRequired: false,
  validFrom: new Date('2026-01-01'),
  status: AgreementStatus.Active,
  ...over,
});
const subscription = (recipient: string, over: Partial<Subscription> = {}): Subscription => ({
  recipientKind: 'source',
  recipient,
  organisation: 'council',
  eventType: 'DEATH',
  active: true,
  ...over,
});
const EVENT = { id: 'e1', type: 'DEATH' as const };

describe('who hears of a life event, and what each hears', () => {
  it('delivers to each active subscriber of the type under an agreement in force, with its fields', () => {
    const plan = planDeliveries(
      EVENT,
      'notice',
      [
        subscription('housing'),
        subscription('benefits'),
        subscription('social-care', { eventType: 'BIRTH' }),
        subscription('housing'),
      ],
      [agreement({})],
      NOW,
    );
    expect(plan.deliveries.map((d) => [d.recipient, d.agreement.id, d.fields])).toEqual([
      ['housing', 'council-tell-us-once', ['hub.identity.familyName', 'hub.lifeEvent.date', 'hub.lifeEvent.type']],
      ['benefits', 'council-tell-us-once', ['hub.identity.familyName', 'hub.lifeEvent.date', 'hub.lifeEvent.type']],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('skips, with the reason, a subscriber no agreement in force covers (deny by default)', () => {
    const nhs = subscription('nhs-trust', { recipientKind: 'partner', organisation: 'nhs-trust' });
    const cases: AgreementFact[][] = [
      [],
      [agreement({ parties: ['police'] })],
      [agreement({ parties: ['nhs-trust'], status: AgreementStatus.Suspended })],
      [agreement({ parties: ['nhs-trust'], validTo: new Date('2026-06-01') })],
      [agreement({ parties: ['nhs-trust'], validFrom: new Date('2026-07-01') })],
      [agreement({ parties: ['nhs-trust'], purposes: ['SAFEGUARDING'] })],
      [agreement({ parties: ['nhs-trust'], releases: { TELL_US_ONCE: [LIFE_EVENT_FIELDS.date] } })],
      [agreement({ parties: ['nhs-trust'], releases: { SAFEGUARDING: [LIFE_EVENT_FIELDS.type] } })],
    ];
    for (const agreements of cases) {
      const plan = planDeliveries(EVENT, 'notice', [nhs], agreements, NOW);
      expect(plan.deliveries).toEqual([]);
      expect(plan.skipped).toEqual([
        { recipient: 'partner:nhs-trust', reason: expect.stringMatching(/no agreement in force/) },
      ]);
    }
  });

  it('uses the agreement that releases least when several would do', () => {
    const wide = agreement({
      id: 'a-wide',
      releases: { TELL_US_ONCE: [LIFE_EVENT_FIELDS.type, LIFE_EVENT_FIELDS.date, LIFE_EVENT_FIELDS.newAddress] },
    });
    const narrow = agreement({ id: 'z-narrow', releases: { TELL_US_ONCE: [LIFE_EVENT_FIELDS.type] } });
    const [delivery] = planDeliveries(EVENT, 'notice', [subscription('housing')], [wide, narrow], NOW).deliveries;
    expect(delivery.agreement).toEqual({ id: 'z-narrow', version: 1 });
    expect(delivery.fields).toEqual([LIFE_EVENT_FIELDS.type]);
  });

  it("uses the council's own agreement for its systems, not a narrower one it made with a partner", () => {
    const own = agreement({ id: 'council-own' });
    const withPartner = agreement({
      id: 'a-with-nhs',
      parties: ['council', 'nhs-trust'],
      releases: { TELL_US_ONCE: [LIFE_EVENT_FIELDS.type] },
    });
    const plan = planDeliveries(
      EVENT,
      'notice',
      [subscription('housing'), subscription('nhs-trust', { recipientKind: 'partner', organisation: 'nhs-trust' })],
      [withPartner, own],
      NOW,
    );
    expect(plan.deliveries.map((d) => [d.recipient, d.agreement.id])).toEqual([
      ['housing', 'council-own'],
      ['nhs-trust', 'a-with-nhs'],
    ]);
  });

  it('keys each delivery by event, kind and recipient, stably and opaquely', () => {
    const key = deliveryKey('e1', 'notice', 'source:housing');
    expect(deliveryKey('e1', 'notice', 'source:housing')).toBe(key);
    expect(
      new Set([
        key,
        deliveryKey('e1', 'retraction', 'source:housing'),
        deliveryKey('e2', 'notice', 'source:housing'),
        deliveryKey('e1', 'notice', 'source:benefits'),
      ]).size,
    ).toBe(4);
    expect(key).not.toMatch(/housing|e1/);
  });

  it('sends only the fields released', () => {
    expect(
      releasedPayload([LIFE_EVENT_FIELDS.type, 'hub.identity.familyName'], {
        [LIFE_EVENT_FIELDS.type]: 'DEATH',
        [LIFE_EVENT_FIELDS.date]: '2026-06-01',
        'hub.identity.familyName': 'Okafor',
        'hub.identity.dateOfBirth': '1940-03-02',
      }),
    ).toEqual({ [LIFE_EVENT_FIELDS.type]: 'DEATH', 'hub.identity.familyName': 'Okafor' });
  });
});
