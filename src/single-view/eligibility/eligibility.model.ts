import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { EligibilityCheck } from './eligibility-rule';

export { EligibilityCheck };

export enum EligibilityResultValue {
  YES = 'YES',
  NO = 'NO',
  UNKNOWN = 'UNKNOWN',
}

export enum EligibilityGapReason {
  SOURCE_UNAVAILABLE = 'SOURCE_UNAVAILABLE',
  SOURCE_NOT_CONFIGURED = 'SOURCE_NOT_CONFIGURED',
  DATA_INCOMPLETE = 'DATA_INCOMPLETE',
}

registerEnumType(EligibilityCheck, {
  name: 'EligibilityCheck',
  description: 'A question the hub answers without disclosing the data behind it (docs/eligibility.md).',
});
registerEnumType(EligibilityResultValue, { name: 'EligibilityResult' });
registerEnumType(EligibilityGapReason, { name: 'EligibilityGapReason' });

@ObjectType({ description: 'Why an answer is UNKNOWN: a source, and the names (never the values) of what it lacked.' })
export class EligibilityGapModel {
  @Field() source: string;
  @Field(() => EligibilityGapReason) reason: EligibilityGapReason;
  @Field(() => [String], { description: 'Names of the fields the rule needed and could not read.' }) fields: string[];
}

/**
 * The whole of what an eligibility check releases. It carries no field of any source: the rule is
 * evaluated inside the hub and only its answer leaves. The answer is released as one piece, by the
 * eligibility decision in the resolver (agreement field `hub.eligibility.*`), or not at all.
 */
@ObjectType('EligibilityAnswer')
export class EligibilityAnswerModel {
  @Field(() => EligibilityCheck) check: EligibilityCheck;
  @Field(() => EligibilityResultValue) result: EligibilityResultValue;
  @Field({ description: 'The rule that gave the answer, e.g. fsm-means-tested-award.' }) rule: string;
  @Field(() => Int) ruleVersion: number;
  @Field(() => GraphQLISODateTime) evaluatedAt: Date;
  @Field(() => [EligibilityGapModel], { description: 'Empty unless the result is UNKNOWN.' })
  gaps: EligibilityGapModel[];
}
