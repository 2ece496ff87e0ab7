import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { ConsentModel, ObjectionModel } from '../access.models';
import { Roles } from '../../engine/policy/policy.decorator';
import { ConsentService } from './consent.service';
import { RecordConsentInput, RecordObjectionInput, ReviewObjectionInput } from './dto/consent.input';
import { ObjectionReviewsService } from './objection-reviews.service';

type Nullable<T> = { [K in keyof T]: T[K] | null };
const model = <T>(row: Nullable<T>) => row as unknown as T;

/**
 * Consent and objections. The DPO, and front-line staff with a case for the person (or a break-glass grant
 * for them), record them; only the DPO reads a person's history here (reading it is itself processing about
 * that person, with no caseload check on this path) and reviews the objections staff record.
 */
@Resolver()
export class ConsentResolver {
  constructor(
    private readonly consent: ConsentService,
    private readonly reviews: ObjectionReviewsService,
  ) {}

  @Query(() => [ConsentModel], { description: "A person's consent records, latest first." })
  @Roles(Role.Dpo)
  async consents(@Args('personId') personId: string): Promise<ConsentModel[]> {
    return (await this.consent.consents(personId)).map((row) => model<ConsentModel>(row));
  }

  @Query(() => [ObjectionModel], { description: "A person's objections and restrictions, latest first." })
  @Roles(Role.Dpo)
  async objections(@Args('personId') personId: string): Promise<ObjectionModel[]> {
    return (await this.consent.objections(personId)).map((row) => model<ObjectionModel>(row));
  }

  @Mutation(() => ConsentModel, {
    description: 'Record consent given, refused or withdrawn. A new record; nothing is overwritten.',
  })
  @Roles(Role.AccountManager, Role.Caseworker, Role.Dpo)
  async recordConsent(
    @Args('input') input: RecordConsentInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ConsentModel> {
    return model<ConsentModel>(await this.consent.recordConsent(input, actor));
  }

  @Mutation(() => ObjectionModel, {
    description:
      'Record an objection (Art. 21) or restriction (Art. 18); it stops processing in its scope at once. Recorded by staff, it is a restriction until the DPO reviews it.',
  })
  @Roles(Role.AccountManager, Role.Caseworker, Role.Dpo)
  async recordObjection(
    @Args('input') input: RecordObjectionInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ObjectionModel> {
    return model<ObjectionModel>(await this.consent.recordObjection(input, actor));
  }

  @Mutation(() => ObjectionModel, { description: 'Lift an objection or restriction (DPO only), with the reason.' })
  @Roles(Role.Dpo)
  async liftObjection(
    @Args('id') id: string,
    @Args('reason') reason: string,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ObjectionModel> {
    return model<ObjectionModel>(await this.consent.liftObjection(id, reason, actor));
  }

  @Query(() => [ObjectionModel], {
    description:
      "The DPO's review queue: objections and restrictions recorded by staff, not yet reviewed, oldest first.",
  })
  @Roles(Role.Dpo)
  async objectionReviewQueue(): Promise<ObjectionModel[]> {
    return (await this.reviews.queue()).map((row) => model<ObjectionModel>(row));
  }

  @Mutation(() => ObjectionModel, {
    description:
      'Confirm an objection or restriction recorded by staff (it stands as the person asked) or dismiss it (it is lifted).',
  })
  @Roles(Role.Dpo)
  async reviewObjection(
    @Args('input') input: ReviewObjectionInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<ObjectionModel> {
    return model<ObjectionModel>(await this.reviews.review(input.id, input.outcome, input.note, actor));
  }
}
