import { Args, Field, ID, Int, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { Roles } from '../../engine/policy/policy.decorator';
import { LifeEventDeliveryRetry } from './delivery-retry.service';

@ObjectType('RetriedLifeEventDelivery', {
  description: 'A dead-lettered life-event delivery put back on the queue (PENDING, with a new set of attempts).',
})
export class RetriedLifeEventDeliveryModel {
  @Field(() => ID) id: string;
  @Field(() => ID) eventId: string;
  @Field({ description: 'NOTICE or RETRACTION.' }) kind: string;
  @Field({ description: 'The source system or partner it goes to.' }) recipient: string;
  @Field({ description: 'PENDING: on its way again.' }) status: string;
  @Field(() => Int, { description: 'Attempts made so far (before this retry).' }) attempts: number;
  @Field({ nullable: true, description: 'Why the last attempt failed (the hub’s words, no personal data).' })
  lastError?: string;
}

@Resolver()
export class LifeEventDeliveryRetryResolver {
  constructor(private readonly retries: LifeEventDeliveryRetry) {}

  @Mutation(() => RetriedLifeEventDeliveryModel, {
    description:
      'Send a dead-lettered life-event delivery again (admin or DPO), once its recipient is fixed. Audited (life-event.delivery-retried).',
  })
  @Roles(Role.Admin, Role.Dpo)
  retryLifeEventDelivery(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() actor: Principal,
  ): Promise<RetriedLifeEventDeliveryModel> {
    return this.retries.retry(id, actor);
  }
}
