import type { EntityManager } from 'typeorm';

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
