import { Field, Int, ObjectType } from '@nestjs/graphql';
import { SeqScalar } from './seq.scalar';

@ObjectType('AuditChainVerification', {
  description: 'The result of re-deriving the audit chain’s hashes over a range.',
})
export class ChainVerificationModel {
  @Field({ description: 'True when every event, link and signed checkpoint in the range is as written.' })
  valid: boolean;

  @Field(() => Int)
  checkedEvents: number;

  @Field(() => Int)
  checkedCheckpoints: number;

  @Field(() => SeqScalar, { nullable: true, description: 'The lowest sequence number at which the chain was altered.' })
  firstBrokenSeq: number | null;

  @Field(() => String, { nullable: true, description: 'What was found there, in words.' })
  problem: string | null;

  @Field(() => SeqScalar)
  fromSeq: number;

  @Field(() => SeqScalar)
  toSeq: number;
}
