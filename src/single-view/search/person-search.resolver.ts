import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { Policy } from '../../access/policy/policy.decorator';
import { GraphqlContext } from '../../graphql/graphql-context';
import { SearchPeopleInput } from '../dto/search-people.input';
import { RequestLoadersFactory } from '../live/request-loaders';
import { PersonSearchResultModel } from '../models/person-search.model';
import { SINGLE_VIEW_ROLES } from '../single-view.roles';
import { personView, searchGroup } from '../views';
import { PersonSearchService } from './person-search.service';
import { encodeCursor, toCriteria } from './search-criteria';

@Resolver()
export class PersonSearchResolver {
  constructor(
    private readonly search: PersonSearchService,
    private readonly loaders: RequestLoadersFactory,
  ) {}

  @Query(() => PersonSearchResultModel, {
    description: 'People matching a name, date of birth, postcode or NINO, best first. Each result is released under its own decision.',
  })
  @Policy.subject('search', { fromResultGroups: searchGroup }, SINGLE_VIEW_ROLES)
  async searchPeople(@Args('input') input: SearchPeopleInput, @Context() context: GraphqlContext): Promise<PersonSearchResultModel> {
    const { criteria, first, after } = toCriteria(input);
    const page = await this.search.search(criteria, first, after);
    const loaders = this.loaders.of(context);
    const edges = page.hits.map((hit) => ({ cursor: encodeCursor(hit), score: hit.score, person: personView(hit.personId, loaders) }));
    // The end cursor is that of the last hit, even if the policy leaves it out, so paging goes on past it.
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
