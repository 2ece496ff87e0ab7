import { Args, Context, ID, Parent, Query, ResolveReference, Resolver } from '@nestjs/graphql';
import { Policy } from '../../engine/policy/policy.decorator';
import { HubRequestContext } from '../../engine/request-context';
import { AgreementGate } from '../agreement-gate.service';
import { AddressLookupInput } from '../dto/search-people.input';
import { RequestLoadersFactory } from '../live/request-loaders';
import { HouseholdModel } from '../models/household.model';
import { isUuid, PersonDirectory } from '../../identity/directory/person-directory.service';
import { badInput } from '../single-view.errors';
import { SINGLE_VIEW_ROLES } from '../single-view.roles';
import { householdGroup, householdView, type HouseholdView } from '../views';
import { HouseholdDirectory } from './household-directory.service';

const householdSubjects = { fromResultGroups: householdGroup };
const MAX_AT_ADDRESS = 20;

/**
 * The household view: by id, by address, and federation's `_entities`. Every member is decided on their own
 * in one call (one audit event each), and the members' live data is fetched in one call per source.
 */
@Resolver(() => HouseholdModel)
export class HouseholdResolver {
  constructor(
    private readonly households: HouseholdDirectory,
    private readonly directory: PersonDirectory,
    private readonly loaders: RequestLoadersFactory,
    private readonly gate: AgreementGate,
  ) {}

  @Query(() => HouseholdModel, { nullable: true })
  @Policy.subject('household.view', householdSubjects, SINGLE_VIEW_ROLES)
  async household(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: HubRequestContext,
  ): Promise<HouseholdView | null> {
    await this.gate.admit(context, 'household.view', 'household');
    if (!isUuid(id)) throw badInput('id must be a household id (UUID)');
    return this.viewOf(id, context);
  }

  @Query(() => [HouseholdModel], {
    description: `Households at a UPRN, or at a postcode (and address line); at most ${MAX_AT_ADDRESS}.`,
  })
  @Policy.subject('household.view', householdSubjects, SINGLE_VIEW_ROLES)
  async householdsAtAddress(
    @Args('input') input: AddressLookupInput,
    @Context() context: HubRequestContext,
  ): Promise<HouseholdView[]> {
    await this.gate.admit(context, 'household.view', 'householdsAtAddress');
    const uprn = input.uprn?.trim();
    const postcode = input.postcode?.replace(/\s+/g, '').toUpperCase();
    const addressLine = input.addressLine?.trim() || undefined;
    if (uprn && !/^\d{1,12}$/.test(uprn)) throw badInput('uprn must be up to 12 digits');
    if (!uprn && !postcode) throw badInput('Give a uprn, or a postcode (optionally with addressLine)');
    if (postcode && !/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(postcode))
      throw badInput('postcode is not a UK postcode');
    if (addressLine && addressLine.length > 100) throw badInput('addressLine is at most 100 characters');
    const records = await this.households.atAddress(uprn ? { uprn } : { postcode, addressLine }, MAX_AT_ADDRESS);
    const loaders = this.loaders.of(context);
    return records.map((record) => householdView(record, { loaders, tags: context.subjectTags }));
  }

  @ResolveReference()
  @Policy.subject('household.view', householdSubjects, SINGLE_VIEW_ROLES)
  async resolveReference(
    @Parent() reference: { id?: unknown },
    @Context() context: HubRequestContext,
  ): Promise<HouseholdView | null> {
    await this.gate.admit(context, 'household.view', '_entities');
    const id = String(reference?.id ?? '');
    if (!isUuid(id)) return null;
    return this.viewOf(id, context);
  }

  /** The household and its members' index rows, read side by side (into the request's memory only). */
  private async viewOf(id: string, context: HubRequestContext): Promise<HouseholdView | null> {
    const [[record], members] = await Promise.all([
      this.households.byIds([id]),
      this.directory.householdMembersIndexed(id),
    ]);
    if (!record) return null;
    const loaders = this.loaders.of(context);
    for (const [personId, indexed] of members) loaders.indexed.prime(personId, indexed);
    return householdView(record, { loaders, tags: context.subjectTags });
  }
}
