import { HubException } from '../../common/hub-exception';

export enum LifeEventDeliveryErrorCode {
  /** No delivery has that id. */
  NOT_FOUND = 'LIFE_EVENT_DELIVERY_NOT_FOUND',
  /** Only a dead-lettered delivery is retried by hand; the others are on their way, delivered or cancelled. */
  NOT_DEAD = 'LIFE_EVENT_DELIVERY_NOT_DEAD',
}

export class LifeEventDeliveryException extends HubException<LifeEventDeliveryErrorCode> {
  get httpStatus(): number {
    return this.code === LifeEventDeliveryErrorCode.NOT_FOUND ? 404 : 409;
  }
}
