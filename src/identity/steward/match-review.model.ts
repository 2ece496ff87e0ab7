import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { PersonMergeRequestModel } from './merge-request.model';

@ObjectType({ description: "One field's part in a match decision: its comparison level and the weight it added." })
export class FieldWeightModel {
  @Field()
  comparison: string;

  @Field({ description: 'e.g. `exact`, `jaro-winkler >= 0.92`, `day and month swapped`, `null` (missing on a side).' })
  level: string;

  @Field(() => Float, { description: 'log2 Bayes factor; negative counts against a match.' })
  weight: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Set when the weight was lowered because the agreeing value is common.',
  })
  termFrequency?: number;
}

@ObjectType({ description: 'Why two records were, or were not, judged to be one person.' })
export class MatchExplanationModel {
  @Field(() => Float)
  weight: number;

  @Field(() => Float)
  probability: number;

  @Field({ description: '`link`, `review` or `no-link` at the thresholds in force.' })
  decision: string;

  @Field({ nullable: true, description: 'The deterministic rule that matched, if any.' })
  rule?: string;

  @Field(() => [String], { description: 'Rules that say these cannot be one person (e.g. different valid NINOs).' })
  hardNegatives: string[];

  @Field(() => Float, { description: 'The prior: how likely two records drawn at random are one person, as a weight.' })
  priorWeight: number;

  @Field(() => [FieldWeightModel])
  fields: FieldWeightModel[];
}

@ObjectType({ description: 'Identity fields as one source holds them.' })
export class IdentityFieldsModel {
  @Field({ nullable: true }) givenName?: string;
  @Field({ nullable: true }) middleNames?: string;
  @Field({ nullable: true }) familyName?: string;
  @Field(() => [String], { nullable: true }) previousFamilyNames?: string[];
  @Field({ nullable: true }) dateOfBirth?: string;
  @Field({ nullable: true }) sex?: string;
  @Field({ nullable: true }) nino?: string;
  @Field({ nullable: true }) nhsNumber?: string;
  @Field({ nullable: true }) uprn?: string;
  @Field(() => [String], { nullable: true }) addressLines?: string[];
  @Field({ nullable: true }) locality?: string;
  @Field({ nullable: true }) postcode?: string;
  @Field({ nullable: true }) phone?: string;
  @Field({ nullable: true }) email?: string;
}

@ObjectType({ description: 'A source record as a data steward sees it to decide a match.' })
export class StewardRecordModel {
  @Field(() => ID)
  id: string;

  @Field()
  source: string;

  @Field()
  sourceKey: string;

  @Field(() => ID, { nullable: true, description: 'The person the record is linked to now.' })
  personId?: string;

  @Field(() => IdentityFieldsModel, { description: 'The identity fields as the source holds them.' })
  identity: IdentityFieldsModel;

  @Field()
  deleted: boolean;
}

@ObjectType({ description: 'A pair of records the matcher could not decide alone.' })
export class MatchReviewModel {
  @Field(() => ID)
  id: string;

  @Field()
  status: string;

  @Field({
    description:
      'Why it needs a person: between thresholds, a hard negative, household members that need corroboration, or a record that would join two persons.',
  })
  reason: string;

  @Field(() => Float)
  probability: number;

  @Field(() => MatchExplanationModel)
  explanation: MatchExplanationModel;

  @Field(() => StewardRecordModel)
  recordA: StewardRecordModel;

  @Field(() => StewardRecordModel)
  recordB: StewardRecordModel;

  @Field()
  createdAt: Date;

  @Field({ nullable: true })
  reviewedBy?: string;
}

@ObjectType()
export class MatchReviewPage {
  @Field(() => [MatchReviewModel])
  items: MatchReviewModel[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page.' })
  nextCursor: string | null;

  @Field(() => Int, { description: 'Pending items in the whole queue.' })
  pending: number;
}

@ObjectType()
export class PersonDecisionModel {
  @Field(() => ID, {
    nullable: true,
    description: 'The person the decision left; null while a merge waits for a second steward.',
  })
  personId?: string;

  @Field(() => PersonMergeRequestModel, {
    nullable: true,
    description:
      'Set when the decision would merge two persons whose records do not agree on a NINO or NHS number: nothing is merged until another data steward approves it.',
  })
  mergeRequest?: PersonMergeRequestModel;
}
