import type { EntityManager } from 'typeorm';
import type { LifeEventType } from '../life-event-rules';

/** The pg-boss queue every hub instance's delivery workers take life-event deliveries from. */
export const DELIVERY_QUEUE = 'life-event-delivery';
/** Where a delivery's job goes after its last failed attempt (the row is then `DEAD`, retried by hand). */
export const DEAD_LETTER_QUEUE = 'life-event-delivery-dead';

/** The job of one delivery: the row's id only (its payload stays in `life_event_delivery`). */
export interface DeliveryJob {
  deliveryId: string;
}

/**
 * The transactional outbox's hand-over: the caller has inserted `life_event_delivery` rows in `manager`'s
 * transaction; `enqueue` adds their jobs to the delivery queue in that same transaction, so the event, its
 * deliveries, their audit events and their jobs commit together or not at all.
 */
export abstract class LifeEventOutbox {
  abstract enqueue(manager: EntityManager, deliveryIds: readonly string[]): Promise<void>;
}

/**
 * A delivery row's `payload`: exactly what its recipient is sent, fixed (under its agreement) when the event
 * is accepted, so that every attempt sends the same. The retraction's payload repeats its notice's.
 */
export interface DeliveryPayload {
  eventId: string;
  type: LifeEventType;
  /** The released fields by field ref (`hub.lifeEvent.*`, `hub.identity.*`), nothing else. */
  released: Record<string, unknown>;
  /** For a source recipient: its own keys for the person (for a birth, the parents). */
  sourceKeys?: string[];
}
