import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { OrganisationModel, PrincipalModel, PurposeModel } from '../access.models';
import { OrganisationKindValue } from '../graphql-enums';
import { Roles } from '../../engine/policy/policy.decorator';
import { PurposesService } from '../purposes/purposes.service';
import { OrganisationKind } from './organisation.entity';
import { OrganisationsService } from './organisations.service';

const everyRole = Object.values(Role);

/** Reference data every client needs (organisations, purposes) and who the caller is. */
@Resolver()
export class OrganisationsResolver {
  constructor(
    private readonly organisationsService: OrganisationsService,
    private readonly purposesService: PurposesService,
  ) {}

  @Query(() => PrincipalModel, { description: 'Who the hub takes you to be, from your token.' })
  @Roles(...everyRole)
  me(@CurrentPrincipal() principal: Principal): PrincipalModel {
    return principal;
  }

  @Query(() => [OrganisationModel])
  @Roles(...everyRole)
  organisations(): Promise<OrganisationModel[]> {
    return this.organisationsService.list();
  }

  @Query(() => [PurposeModel], { description: 'The purposes catalogue: the codes x-purpose accepts.' })
  @Roles(...everyRole)
  purposes(): Promise<PurposeModel[]> {
    return this.purposesService.list();
  }

  @Mutation(() => OrganisationModel)
  @Roles(Role.Admin, Role.Dpo)
  createOrganisation(
    @Args('id') id: string,
    @Args('name') name: string,
    @Args('kind', { type: () => OrganisationKindValue }) kind: OrganisationKind,
    @CurrentPrincipal() actor: Principal,
  ): Promise<OrganisationModel> {
    return this.organisationsService.create({ id, name, kind }, actor);
  }
}
