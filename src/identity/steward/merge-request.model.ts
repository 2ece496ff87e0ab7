import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('PersonMergeRequest', {
  description: 'A merge of two persons waiting for (or decided by) a second data steward.',
})
export class PersonMergeRequestModel {
  @Field(() => ID)
  id: string;

  @Field({ description: '`pending`, `approved` or `rejected`.' })
  status: string;

  @Field(() => ID, { description: 'The person who stays.' })
  survivorId: string;

  @Field(() => ID, {
    description: 'The person whose records would move to the survivor, and whose id would point to it.',
  })
  mergedId: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The review item whose acceptance asked for the merge, if any; accepted on approval.',
  })
  reviewId?: string;

  @Field()
  reason: string;

  @Field({ description: 'The data steward who asked; they cannot approve it.' })
  requestedBy: string;

  @Field()
  requestedAt: Date;

  @Field({ nullable: true })
  decidedBy?: string;

  @Field({ nullable: true })
  decidedAt?: Date;

  @Field({ nullable: true })
  note?: string;
}
