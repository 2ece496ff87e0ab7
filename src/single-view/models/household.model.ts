import { Directive, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { NotPersonalData, ReleasedAs } from '../../engine/policy/policy.decorator';
import { sourceDeclarations } from '../../sources/source-registry';
import { HOUSEHOLD_REFS, identityRef, involvementRef } from '../field-refs';
import { PersonModel } from './person.model';

/** A person's membership of a household: each member is decided on their own. */
@ObjectType('HouseholdMember')
export class HouseholdMemberModel {
  @Field(() => PersonModel, { nullable: true })
  @ReleasedAs(HOUSEHOLD_REFS.members)
  person?: PersonModel;

  @Field({
    nullable: true,
    description: "The member's role as the sources say (tenant, partner, dependant, child...).",
  })
  @ReleasedAs(HOUSEHOLD_REFS.role)
  role?: string;

  @Field({ nullable: true })
  @ReleasedAs(HOUSEHOLD_REFS.period)
  validFrom?: Date;

  @Field({ nullable: true, description: 'When the member left; null while they live there.' })
  @ReleasedAs(HOUSEHOLD_REFS.period)
  validTo?: Date;

  @Field({ nullable: true })
  @ReleasedAs(HOUSEHOLD_REFS.period)
  current?: boolean;
}

/** How many current members each source knows (no service data): one field per source, as it declares. */
export type HouseholdServicesModel = Record<string, number | undefined>;

@ObjectType('HouseholdServices')
class HouseholdServicesType {}
for (const source of sourceDeclarations) {
  ReleasedAs(involvementRef(source.id))(HouseholdServicesType.prototype, source.graphql.field);
  Field(() => Int, { nullable: true })(HouseholdServicesType.prototype, source.graphql.field);
}

/**
 * People living together at one address, with the history of who joined and left. A household-level field
 * (address, counts, indicators) is released only when it would be released for every current member.
 */
@ObjectType('Household')
@Directive('@key(fields: "id")')
export class HouseholdModel {
  @Field(() => ID)
  @NotPersonalData('the hub id of the household the caller named or was given')
  id: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('uprn'))
  uprn?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('postcode'))
  postcode?: string;

  @Field(() => [String], { nullable: true })
  @ReleasedAs(identityRef('addressLines'))
  addressLines?: string[];

  @Field(() => [HouseholdMemberModel], {
    description:
      'Current members first, then former ones. A member is listed only where their membership, role or period may be released about them; the others are left out.',
  })
  members: HouseholdMemberModel[];

  @Field(() => Int, { nullable: true, description: 'Current members.' })
  @ReleasedAs(HOUSEHOLD_REFS.memberCount)
  memberCount?: number;

  @Field(() => HouseholdServicesType, { nullable: true, description: 'Current members known to each source.' })
  services?: HouseholdServicesModel;

  @Field({ nullable: true, description: 'Current members are known to more than one of the sources.' })
  @ReleasedAs(HOUSEHOLD_REFS.multipleServicesInvolved)
  multipleServicesInvolved?: boolean;
}
