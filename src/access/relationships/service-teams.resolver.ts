import { Args, Field, InputType, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { Roles } from '../../engine/policy/policy.decorator';
import { ServiceTeamsService } from './service-teams.service';

@ObjectType('ServiceTeam', { description: 'A team that works in the service of one source system.' })
export class ServiceTeamModel {
  @Field() organisation: string;
  @Field() team: string;
  @Field({ description: 'The source id, e.g. social-care: what its cases say is derived from that source.' })
  source: string;
  @Field() registeredBy: string;
  @Field() registeredAt: Date;
}

@InputType()
export class ServiceTeamInput {
  @Field({ description: 'The team (token claim `team`, as in case assignments).' }) team: string;
  @Field({ description: 'The source whose service it works in, e.g. social-care.' }) source: string;
  @Field({ nullable: true, description: 'The team’s organisation; your own when absent.' }) organisation?: string;
}

/**
 * The teams of each source system's service. A social care team's name is special category: it is shown
 * (in the teams holding a case) only where the person's social care involvement may be.
 */
@Resolver()
export class ServiceTeamsResolver {
  constructor(private readonly teams: ServiceTeamsService) {}

  @Query(() => [ServiceTeamModel], { description: 'Teams and the source system whose service each works in.' })
  @Roles(Role.Admin, Role.Dpo)
  serviceTeams(): Promise<ServiceTeamModel[]> {
    return this.teams.list();
  }

  @Mutation(() => ServiceTeamModel, {
    description: 'Record (or change) the source system whose service a team works in.',
  })
  @Roles(Role.Admin)
  setServiceTeam(
    @Args('input') input: ServiceTeamInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ServiceTeamModel> {
    return this.teams.set(input, actor);
  }

  @Mutation(() => ServiceTeamModel, {
    description: 'Forget the service of a team: it then works in no source system’s service.',
  })
  @Roles(Role.Admin)
  removeServiceTeam(
    @Args('organisation') organisation: string,
    @Args('team') team: string,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ServiceTeamModel> {
    return this.teams.remove(organisation, team, actor);
  }
}
