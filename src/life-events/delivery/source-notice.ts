import type { LifeEventNotice } from '../../sources/source-adapter';
import { LIFE_EVENT_FIELDS } from '../delivery-plan';
import type { DeliveryPayload } from './life-event-outbox';

/**
 * The notice a source's adapter is given for one delivery: its keys for the person and, of the event,
 * only the fields the delivery's payload holds (what the source's agreement released, nothing else).
 */
export function toLifeEventNotice(
  delivery: { idempotencyKey: string; kind: 'NOTICE' | 'RETRACTION' },
  payload: DeliveryPayload,
): LifeEventNotice {
  const released = payload.released ?? {};
  const notice: LifeEventNotice = {
    idempotencyKey: delivery.idempotencyKey,
    kind: delivery.kind,
    eventId: payload.eventId,
    type: payload.type,
    sourceKeys: [...(payload.sourceKeys ?? [])],
  };
  const date = released[LIFE_EVENT_FIELDS.date];
  if (typeof date === 'string') notice.date = date;
  const newAddress = released[LIFE_EVENT_FIELDS.newAddress];
  if (newAddress && typeof newAddress === 'object') notice.newAddress = newAddress as LifeEventNotice['newAddress'];
  const newName = released[LIFE_EVENT_FIELDS.newName];
  if (newName && typeof newName === 'object') notice.newName = newName as LifeEventNotice['newName'];
  const child = released[LIFE_EVENT_FIELDS.child];
  if (child && typeof child === 'object') notice.child = child as LifeEventNotice['child'];
  return notice;
}
