import { createHash } from 'node:crypto';
import type { AgreementFact, FieldRef } from '../access/policy/policy.types';
import { AgreementStatus } from '../access/policy/policy.types';
import type { LifeEventType } from './life-event-rules';

/** The purpose every Tell Us Once delivery is made for. */
export const TELL_US_ONCE = 'TELL_US_ONCE';

/**
 * The fields of a life event an agreement can release for TELL_US_ONCE (besides the person's identity,
 * `hub.identity.*`, released as for any other purpose). A recipient gets only those its agreement lists.
 */
export const LIFE_EVENT_FIELDS = {
  type: 'hub.lifeEvent.type',
  date: 'hub.lifeEvent.date',
  newAddress: 'hub.lifeEvent.newAddress',
  newName: 'hub.lifeEvent.newName',
  child: 'hub.lifeEvent.child',
  parents: 'hub.lifeEvent.parents',
} as const satisfies Record<string, FieldRef>;

export interface Subscription {
  recipientKind: 'source' | 'partner';
  recipient: string;
  /** The organisation that runs the recipient: a partner itself; the council for its own source systems. */
  organisation: string;
  eventType: LifeEventType;
  active: boolean;
}

/** One delivery to make: what goes, to whom, under which agreement, and the key it is applied once by. */
export interface PlannedDelivery {
  recipientKind: 'source' | 'partner';
  recipient: string;
  agreement: { id: string; version: number };
  fields: FieldRef[];
  idempotencyKey: string;
}

export interface SkippedRecipient {
  recipient: string;
  reason: string;
}

/** The agreement versions in force at `now` that let `organisation` receive anything for TELL_US_ONCE. */
function agreementsFor(organisation: string, agreements: readonly AgreementFact[], now: Date): AgreementFact[] {
  return agreements.filter(
    (agreement) =>
      agreement.status === AgreementStatus.Active &&
      agreement.validFrom <= now &&
      (!agreement.validTo || agreement.validTo > now) &&
      agreement.parties.includes(organisation) &&
      agreement.purposes.includes(TELL_US_ONCE) &&
      (agreement.releases[TELL_US_ONCE] ?? []).includes(LIFE_EVENT_FIELDS.type),
  );
}

/**
 * Who hears of an event, and what each hears (deny by default): each active subscription to the event's
 * type whose organisation an agreement in force lets receive at least the event's type for TELL_US_ONCE.
 * Where more than one agreement would, the one made between the fewest parties goes (the council's own
 * agreement for its own systems, not one it made with a partner for the partner's needs), then the one that
 * releases the fewest fields (least disclosure), then the lowest id. A subscription with no such agreement
 * is skipped, with the reason, for the DPO.
 */
export function planDeliveries(
  event: { id: string; type: LifeEventType },
  kind: 'notice' | 'retraction',
  subscriptions: readonly Subscription[],
  agreements: readonly AgreementFact[],
  now: Date,
): { deliveries: PlannedDelivery[]; skipped: SkippedRecipient[] } {
  const deliveries: PlannedDelivery[] = [];
  const skipped: SkippedRecipient[] = [];
  const seen = new Set<string>();
  for (const subscription of subscriptions) {
    if (!subscription.active || subscription.eventType !== event.type) continue;
    const who = `${subscription.recipientKind}:${subscription.recipient}`;
    if (seen.has(who)) continue;
    seen.add(who);
    const candidates = agreementsFor(subscription.organisation, agreements, now).sort(
      (a, b) =>
        a.parties.length - b.parties.length ||
        a.releases[TELL_US_ONCE].length - b.releases[TELL_US_ONCE].length ||
        a.id.localeCompare(b.id) ||
        b.version - a.version,
    );
    const agreement = candidates[0];
    if (!agreement) {
      skipped.push({
        recipient: who,
        reason: `no agreement in force releases ${LIFE_EVENT_FIELDS.type} to ${subscription.organisation} for ${TELL_US_ONCE}`,
      });
      continue;
    }
    deliveries.push({
      recipientKind: subscription.recipientKind,
      recipient: subscription.recipient,
      agreement: { id: agreement.id, version: agreement.version },
      fields: [...agreement.releases[TELL_US_ONCE]].sort(),
      idempotencyKey: deliveryKey(event.id, kind, who),
    });
  }
  return { deliveries, skipped };
}

/**
 * The idempotency key of one delivery: the same for every attempt, different for every event, kind and
 * recipient, and revealing none of them.
 */
export function deliveryKey(eventId: string, kind: 'notice' | 'retraction', recipient: string): string {
  return createHash('sha256').update(`${eventId}\u0000${kind}\u0000${recipient}`).digest('base64url').slice(0, 32);
}

/**
 * What one recipient is sent: the event's fields its agreement releases, nothing else. `values` holds every
 * field the event has (by LIFE_EVENT_FIELDS key, and `hub.identity.*` refs for the person).
 */
export function releasedPayload(
  fields: readonly FieldRef[],
  values: Record<FieldRef, unknown>,
): Record<FieldRef, unknown> {
  const allowed = new Set(fields);
  return Object.fromEntries(Object.entries(values).filter(([ref, value]) => allowed.has(ref) && value !== undefined));
}
