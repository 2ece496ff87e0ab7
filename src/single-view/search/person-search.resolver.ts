import { Args, Context, Info, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { withheldError } from '../../engine/policy/field-policy';
import { Policy } from '../../engine/policy/policy.decorator';
import { requestedFields } from '../../engine/policy/requested-fields';
import { HubRequestContext } from '../../engine/request-context';
import { AgreementGate } from '../agreement-gate.service';
import { SearchPeopleInput } from '../dto/search-people.input';
import { RequestLoadersFactory } from '../live/request-loaders';
import { PersonSearchEdgeModel, PersonSearchResultModel } from '../models/person-search.model';
import type { PersonModel } from '../models/person.model';
import { SINGLE_VIEW_ROLES } from '../single-view.roles';
import { personView, searchGroup } from '../views';
import { PersonSearchService } from './person-search.service';
import { SearchCursors } from './search-cursor';
import { criteriaRefs, cursorBinding, requireIdentifying, toCriteria } from './search-criteria';
import { SearchScreening } from './search-screening.service';

const UNRANKED =
  'not ranked: you may not see every attribute searched by about everyone this search may find, so it says only who matches them all';

@Resolver()
export class PersonSearchResolver {
  constructor(
    private readonly gate: AgreementGate,
    private readonly search: PersonSearchService,
    private readonly screening: SearchScreening,
    private readonly cursors: SearchCursors,
    private readonly loaders: RequestLoadersFactory,
  ) {}

  @Query(() => PersonSearchResultModel, {
    description:
      'People matching a name, date of birth, postcode or NINO. Ranked best first, with scores, when you may see every attribute ' +
      'searched by; otherwise exact matches on all of them, by id, without scores. Each result is released under its own decision.',
  })
  @Policy.subject('search', { fromResultGroups: searchGroup }, SINGLE_VIEW_ROLES)
  async searchPeople(
    @Args('input') input: SearchPeopleInput,
    @Context() context: HubRequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<PersonSearchResultModel> {
    const caller = await this.gate.admit(context, 'search', 'searchPeople');
    const { criteria, first, after } = toCriteria(input);
    const searchedBy = criteriaRefs(criteria);
    const ranked = this.screening.ranked(caller, searchedBy);
    if (!ranked) requireIdentifying(criteria);
    const binding = cursorBinding(criteria, ranked, caller.principal, caller.access.purpose!);
    const position = after ? await this.cursors.open(after, binding) : undefined;

    const requested = requestedFields(info);
    const admit = (personIds: string[]) =>
      this.screening.admit(caller, personIds, requested, ranked ? searchedBy : undefined);
    const page = await this.search.page(criteria, ranked, first, position, admit);
    const view = { loaders: this.loaders.of(context), tags: context.subjectTags };
    const edges: PersonSearchEdgeModel[] = [];
    for (const hit of page.hits) {
      const person: PersonModel = personView(hit.personId, view);
      const edge = { cursor: await this.cursors.seal(hit, binding), person } as PersonSearchEdgeModel;
      if (ranked) edge.score = hit.score!;
      else {
        Object.defineProperty(edge, 'score', {
          enumerable: true,
          get: () => {
            throw withheldError('search.score', UNRANKED);
          },
        });
      }
      edges.push(edge);
    }
    const result = { edges } as PersonSearchResultModel;
    // Read once the policy has released the page (and dropped any result it withheld at the last moment):
    // the end cursor is that of the last result shown, never of one left out.
    result.pageInfo = {
      hasNextPage: page.hasNextPage,
      get endCursor() {
        return result.edges.at(-1)?.cursor ?? null;
      },
    };
    return result;
  }
}
