import { Field, Float, ObjectType } from '@nestjs/graphql';
import { PersonModel } from './person.model';

@ObjectType('PersonSearchEdge')
export class PersonSearchEdgeModel {
  @Field({ description: 'Pass as `after` to continue after this result.' })
  cursor: string;

  @Field(() => Float, { description: 'How well the person matches the search, 0 to 1.' })
  score: number;

  @Field(() => PersonModel)
  person: PersonModel;
}

@ObjectType('SearchPageInfo')
export class SearchPageInfoModel {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/**
 * Ranked candidates. Each person is decided on their own: with no relationship, an account manager learns
 * only that a match exists and which team holds the case; a result about whom nothing may be released is
 * left out altogether, so ask for at least one field you may see (e.g. `exists`).
 */
@ObjectType('PersonSearchResult')
export class PersonSearchResultModel {
  @Field(() => [PersonSearchEdgeModel])
  edges: PersonSearchEdgeModel[];

  @Field(() => SearchPageInfoModel)
  pageInfo: SearchPageInfoModel;
}
