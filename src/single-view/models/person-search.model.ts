import { Field, Float, ObjectType } from '@nestjs/graphql';
import { PersonModel } from './person.model';

@ObjectType('PersonSearchEdge')
export class PersonSearchEdgeModel {
  @Field({
    description:
      'Pass as `after` to continue after this result. Opaque, and good only for the same search, caller and purpose.',
  })
  cursor: string;

  @Field(() => Float, {
    nullable: true,
    description:
      'How well the person matches the search, 0 to 1, in a ranked search. In an unranked one (you may not see every attribute ' +
      'searched by) null, withheld: every result then matches all the criteria.',
  })
  score: number | null;

  @Field(() => PersonModel)
  person: PersonModel;
}

@ObjectType('SearchPageInfo')
export class SearchPageInfoModel {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last result shown; null when none is.' })
  endCursor: string | null;
}

/**
 * Search results. Each person is decided on their own: with no relationship, an account manager learns
 * only that a match exists and which team holds the case; a result about whom nothing may be released is
 * left out altogether (pages are made of shown results only), so ask for at least one field you may see
 * (e.g. `exists`).
 */
@ObjectType('PersonSearchResult')
export class PersonSearchResultModel {
  @Field(() => [PersonSearchEdgeModel])
  edges: PersonSearchEdgeModel[];

  @Field(() => SearchPageInfoModel)
  pageInfo: SearchPageInfoModel;
}
