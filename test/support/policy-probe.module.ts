import { Module } from '@nestjs/common';
import { Args, Field, ID, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { NotPersonalData, Policy, ReleasedAs } from '../../src/engine/policy/policy.decorator';

export const PERSON_1 = '11111111-1111-4111-8111-111111111111';
export const PERSON_2 = '22222222-2222-4222-8222-222222222222';

@ObjectType()
export class ProbeTenancy {
  @Field({ nullable: true })
  @ReleasedAs('housing.tenancy.tenure')
  tenure?: string;

  @Field({ nullable: true })
  @ReleasedAs('housing.tenancy.rentAccountStatus')
  rentAccountStatus?: string;

  /** Declares nothing: must be withheld under a subject. */
  @Field({ nullable: true })
  undeclared?: string;
}

@ObjectType()
export class ProbePerson {
  @Field(() => ID)
  @NotPersonalData('the id the caller already holds')
  id: string;

  @Field({ nullable: true })
  @ReleasedAs('hub.match.exists')
  exists?: boolean;

  @Field(() => [String], { nullable: true })
  @ReleasedAs('hub.caseload.team')
  teams?: string[];

  @Field({ nullable: true })
  @ReleasedAs('hub.identity.givenName')
  givenName?: string;

  @Field({ nullable: true })
  @ReleasedAs('hub.identity.dateOfBirth')
  dateOfBirth?: string;

  @Field(() => ProbeTenancy, { nullable: true })
  tenancy?: ProbeTenancy;

  @Field(() => [String], { nullable: true })
  @ReleasedAs('social-care.children-social-care.caseType')
  careTypes?: string[];
}

const people: Record<string, () => ProbePerson> = {
  [PERSON_1]: () => ({
    id: PERSON_1,
    exists: true,
    teams: ['early-help-north'],
    givenName: 'Ada',
    dateOfBirth: '1980-02-03',
    tenancy: { tenure: 'secure', rentAccountStatus: 'arrears', undeclared: 'leak' },
    careTypes: ['child-in-need'],
  }),
  [PERSON_2]: () => ({
    id: PERSON_2,
    exists: true,
    teams: ['housing-options'],
    givenName: 'Bo',
    dateOfBirth: '1990-05-06',
  }),
};

/** A stand-in for the single-view resolvers, to exercise the enforcement end to end (tests only). */
@Resolver(() => ProbePerson)
export class ProbeResolver {
  calls = 0;
  fieldCalls = 0;

  @Query(() => ProbePerson, { nullable: true })
  @Policy.subject('person.view', { fromArgs: (args) => ({ personId: String(args.id) }) })
  probePerson(@Args('id') id: string): ProbePerson | null {
    this.calls++;
    return people[id]?.() ?? null;
  }

  @Query(() => [ProbePerson])
  @Policy.subject('search', { fromResult: (item) => ({ personId: (item as ProbePerson).id }) })
  probeSearch(): ProbePerson[] {
    this.calls++;
    return [people[PERSON_1](), people[PERSON_2]()];
  }

  @ResolveField(() => String, { nullable: true })
  @Policy.parent()
  @ReleasedAs('housing.tenancy.startDate')
  tenancyStart(@Parent() person: ProbePerson): string {
    this.fieldCalls++;
    return person.id === PERSON_1 ? '2019-04-01' : '2021-09-01';
  }

  @Query(() => String, { description: 'Declares no policy: must be refused.' })
  probeWithoutPolicy(): string {
    return 'should never be served';
  }
}

@Module({ providers: [ProbeResolver] })
export class PolicyProbeModule {}
