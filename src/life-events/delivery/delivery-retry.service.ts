import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InputErrorCode, InputException } from '../../common/hub-exception';
import { AuditRecorder } from '../../engine/audit-recorder';
import type { Principal } from '../../engine/principal';
import { TELL_US_ONCE } from '../delivery-plan';
import { LifeEventDeliveryErrorCode, LifeEventDeliveryException } from './life-event-delivery.exception';
import { LifeEventOutbox } from './life-event-outbox';

export interface RetriedDelivery {
  id: string;
  eventId: string;
  kind: 'NOTICE' | 'RETRACTION';
  recipient: string;
  status: 'PENDING';
  attempts: number;
  lastError?: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An admin's or the DPO's retry of a dead-lettered delivery (once the recipient is fixed): the row is
 * PENDING again and a new job goes on the queue, with a full set of attempts, in one transaction with the
 * audit event that says who asked. The attempts counted so far are kept (the history of the delivery).
 */
@Injectable()
export class LifeEventDeliveryRetry {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly outbox: LifeEventOutbox,
  ) {}

  async retry(id: string, actor: Principal): Promise<RetriedDelivery> {
    if (!uuid.test(id)) throw new InputException(InputErrorCode.BAD_USER_INPUT, 'The delivery id must be a UUID');
    return this.dataSource.transaction(async (manager) => {
      const found = (await manager.query(
        `select d.id, d.event_id, d.kind, d.recipient_kind, d.recipient, d.status, d.attempts, d.last_error, e.person_id
         from life_event_delivery d join life_event e on e.id = d.event_id
         where d.id = $1 for update of d`,
        [id],
      )) as {
        id: string;
        event_id: string;
        kind: 'NOTICE' | 'RETRACTION';
        recipient_kind: string;
        recipient: string;
        status: string;
        attempts: number;
        last_error: string | null;
        person_id: string | null;
      }[];
      const row = found[0];
      if (!row) throw new LifeEventDeliveryException(LifeEventDeliveryErrorCode.NOT_FOUND, 'No such delivery');
      if (row.status !== 'DEAD')
        throw new LifeEventDeliveryException(
          LifeEventDeliveryErrorCode.NOT_DEAD,
          `Only a dead-lettered delivery can be retried; this one is ${row.status}`,
          { status: row.status },
        );
      await manager.query(`update life_event_delivery set status = 'PENDING' where id = $1`, [id]);
      await this.audit.record(
        {
          actor,
          operation: 'life-event.delivery-retried',
          subjects: row.person_id ? { persons: [row.person_id] } : undefined,
          purpose: TELL_US_ONCE,
          decision: 'change',
          detail: {
            deliveryId: id,
            eventId: row.event_id,
            kind: row.kind,
            recipientKind: row.recipient_kind,
            recipient: row.recipient,
            attempts: row.attempts,
          },
        },
        manager,
      );
      await this.outbox.enqueue(manager, [id]);
      return {
        id,
        eventId: row.event_id,
        kind: row.kind,
        recipient: row.recipient,
        status: 'PENDING',
        attempts: row.attempts,
        ...(row.last_error ? { lastError: row.last_error } : {}),
      };
    });
  }
}
