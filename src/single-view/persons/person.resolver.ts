import { Args, Context, ID, Parent, Query, ResolveField, ResolveReference, Resolver } from '@nestjs/graphql';
import { Policy } from '../../engine/policy/policy.decorator';
import { HubRequestContext } from '../../engine/request-context';
import { sourceDeclarations } from '../../sources/source-registry';
import { AgreementGate } from '../agreement-gate.service';
import { INDEX_REFS } from '../field-refs';
import { HouseholdDirectory } from '../households/household-directory.service';
import { matchExplanationOf, provenanceOf, sourceRecordsOf } from '../derived-facts';
import { decisionOf, liveRecords, requireReleased } from '../live/live-fields';
import { RequestLoadersFactory } from '../live/request-loaders';
import { HouseholdModel } from '../models/household.model';
import {
  IdentityProvenanceModel,
  LinkedSourceRecordModel,
  MatchExplanationModel,
  PersonModel,
} from '../models/person.model';
import { SOURCE_RECORD_TYPES } from '../models/service-records.model';
import { badInput } from '../single-view.errors';
import { SINGLE_VIEW_ROLES } from '../single-view.roles';
import { householdGroup, householdView, type HouseholdView, personGroup, personView, type PersonView } from '../views';
import { isUuid, PersonDirectory } from '../../identity/directory/person-directory.service';

const personSubject = { fromResultGroups: personGroup };

/** Golden fields whose provenance can be shown, with the agreement fields that release their value. */
const provenanceFields: Record<string, string[]> = {
  givenName: ['givenName'],
  middleNames: ['middleNames'],
  familyName: ['familyName'],
  dateOfBirth: ['dateOfBirth'],
  sex: ['sex'],
  nino: ['nino', 'ninoMasked'],
  nhsNumber: ['nhsNumber', 'nhsNumberMasked'],
  address: ['addressLines', 'postcode', 'uprn', 'locality'],
  phone: ['phone'],
  email: ['email'],
};

/**
 * The person view: `person(id)` (a merged id answers with its survivor), federation's `_entities`, and
 * the fields that need more than the index row: live service data, the household, and the steward's view
 * of the index. The subject is decided after the id is resolved to the survivor, so the decision (and
 * its audit event) is about the person actually shown. Their index rows are read with the survivor (into
 * the request's memory); nothing about them is released, and no source is asked about them, before it.
 */
@Resolver(() => PersonModel)
export class PersonResolver {
  constructor(
    private readonly directory: PersonDirectory,
    private readonly households: HouseholdDirectory,
    private readonly loaders: RequestLoadersFactory,
    private readonly gate: AgreementGate,
  ) {}

  @Query(() => PersonModel, {
    nullable: true,
    description: 'A person by hub id; a merged id answers with the person it was merged into.',
  })
  @Policy.subject('person.view', personSubject, SINGLE_VIEW_ROLES)
  async person(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: HubRequestContext,
  ): Promise<PersonModel | null> {
    await this.gate.admit(context, 'person.view', 'person');
    if (!isUuid(id)) throw badInput('id must be a person id (UUID)');
    const survivor = (await this.directory.survivorsIndexed([id])).get(id);
    return survivor
      ? personView(survivor.personId, { loaders: this.loaders.of(context), tags: context.subjectTags }, survivor, id)
      : null;
  }

  @ResolveReference()
  @Policy.subject('person.view', personSubject, SINGLE_VIEW_ROLES)
  async resolveReference(
    @Parent() reference: { id?: unknown },
    @Context() context: HubRequestContext,
  ): Promise<PersonModel | null> {
    await this.gate.admit(context, 'person.view', '_entities');
    const id = String(reference?.id ?? '');
    if (!isUuid(id)) return null;
    const survivor = (await this.directory.survivorsIndexed([id])).get(id);
    return survivor
      ? personView(survivor.personId, { loaders: this.loaders.of(context), tags: context.subjectTags }, survivor, id)
      : null;
  }

  @ResolveField(() => HouseholdModel, {
    nullable: true,
    description: 'The household the person lives in now; its members are decided one by one.',
  })
  @Policy.subject('household.view', { fromResultGroups: householdGroup }, SINGLE_VIEW_ROLES)
  async household(@Parent() person: PersonView): Promise<HouseholdView | null> {
    // Only from a person about whom something was released: otherwise the link itself would say where they live.
    const decision = decisionOf(person, 'household');
    if (decision.released.length === 0) return null;
    const householdId = (await this.households.currentOf([person.id])).get(person.id);
    if (!householdId) return null;
    const [record] = await this.households.byIds([householdId]);
    const { loaders, tags, requestedId } = person.view;
    return record ? householdView(record, { loaders, tags }, { personId: person.id, requestedId }) : null;
  }

  @ResolveField(() => [IdentityProvenanceModel], {
    nullable: true,
    description: 'Where each golden value asked for in the same query came from (released identity fields only).',
  })
  @Policy.parent()
  async provenance(@Parent() person: PersonView): Promise<IdentityProvenanceModel[]> {
    const decision = decisionOf(person, INDEX_REFS.provenance);
    requireReleased(decision, INDEX_REFS.provenance);
    return provenanceOf(decision, await person.view.loaders.indexed.load(person.id), provenanceFields);
  }

  @ResolveField(() => [LinkedSourceRecordModel], {
    nullable: true,
    description: 'The source records linked to the person (keys only). For data stewards.',
  })
  @Policy.parent()
  async sourceRecords(@Parent() person: PersonView): Promise<LinkedSourceRecordModel[]> {
    const decision = decisionOf(person, INDEX_REFS.sourceRecords);
    requireReleased(decision, INDEX_REFS.sourceRecords);
    return sourceRecordsOf(decision, await person.view.loaders.indexed.load(person.id));
  }

  @ResolveField(() => [MatchExplanationModel], {
    nullable: true,
    description: 'Why each record is linked to the person. For data stewards.',
  })
  @Policy.parent()
  async matchExplanation(@Parent() person: PersonView): Promise<MatchExplanationModel[]> {
    const decision = decisionOf(person, INDEX_REFS.matchExplanation);
    requireReleased(decision, INDEX_REFS.matchExplanation);
    return matchExplanationOf(decision, await person.view.loaders.indexed.load(person.id));
  }
}

/**
 * Each source's live records on the person (`housing`, `benefits`, `socialCare`, ...), one field per source
 * as it declares: governed by the person's decision, fetched only for the fields it released.
 */
for (const source of sourceDeclarations) {
  const method = `${source.graphql.field}Live`;
  const descriptor: PropertyDescriptor = {
    value: (person: PersonView) => liveRecords(person, source.id),
    writable: true,
    configurable: true,
  };
  Object.defineProperty(PersonResolver.prototype, method, descriptor);
  Parent()(PersonResolver.prototype, method, 0);
  Policy.parent()(PersonResolver.prototype, method, descriptor);
  ResolveField(() => SOURCE_RECORD_TYPES.get(source.id)!, {
    name: source.graphql.field,
    nullable: true,
    description: source.graphql.fieldDescription,
  })(PersonResolver.prototype, method, descriptor);
}
