import { Directive, Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { NotPersonalData, ReleasedAs } from '../../engine/policy/policy.decorator';
import { sourceDeclarations } from '../../sources/source-registry';
import { identityRef, INDEX_REFS, involvementRef } from '../field-refs';

/** Which source supplied a golden value, and by which survivorship rule. For data stewards. */
@ObjectType('IdentityProvenance')
export class IdentityProvenanceModel {
  @Field({ description: 'The identity field, e.g. givenName.' })
  @ReleasedAs(INDEX_REFS.provenance)
  field: string;

  @Field()
  @ReleasedAs(INDEX_REFS.provenance)
  source: string;

  @Field()
  @ReleasedAs(INDEX_REFS.provenance)
  sourceKey: string;

  @Field({ description: 'most-trusted, most-recent or most-frequent' })
  @ReleasedAs(INDEX_REFS.provenance)
  rule: string;

  @Field(() => Int, { description: "How many of the person's records hold this value." })
  @ReleasedAs(INDEX_REFS.provenance)
  agreeing: number;

  @Field(() => Int, { description: 'How many of them hold any value for the field.' })
  @ReleasedAs(INDEX_REFS.provenance)
  holding: number;
}

/** A source record linked to the person in the index (the source's key, never its service data). */
@ObjectType('LinkedSourceRecord')
export class LinkedSourceRecordModel {
  @Field()
  @ReleasedAs(INDEX_REFS.sourceRecords)
  source: string;

  @Field()
  @ReleasedAs(INDEX_REFS.sourceRecords)
  sourceKey: string;

  @Field({ description: 'When the source last confirmed or changed the record (ISO).' })
  @ReleasedAs(INDEX_REFS.sourceRecords)
  lastSeen: string;
}

/** Why a record is linked to this person: the matcher's decision and its per-field weights. */
@ObjectType('MatchExplanation')
export class MatchExplanationModel {
  @Field()
  @ReleasedAs(INDEX_REFS.matchExplanation)
  source: string;

  @Field()
  @ReleasedAs(INDEX_REFS.matchExplanation)
  sourceKey: string;

  @Field({ description: 'new, auto, deterministic or manual' })
  @ReleasedAs(INDEX_REFS.matchExplanation)
  method: string;

  @Field(() => Float, { nullable: true })
  @ReleasedAs(INDEX_REFS.matchExplanation)
  weight: number | null;

  @Field(() => Float, { nullable: true })
  @ReleasedAs(INDEX_REFS.matchExplanation)
  probability: number | null;

  @Field()
  @ReleasedAs(INDEX_REFS.matchExplanation)
  decidedBy: string;

  @Field()
  @ReleasedAs(INDEX_REFS.matchExplanation)
  decidedAt: string;

  @Field(() => String, {
    nullable: true,
    description: "The matcher's explanation (per-field agreement and weights), as JSON.",
  })
  @ReleasedAs(INDEX_REFS.matchExplanation)
  explanation: string | null;
}

/** Which sources know the person, without any of their data: one field per source, as it declares. */
export type ServiceInvolvementModel = Record<string, boolean | undefined>;

@ObjectType('ServiceInvolvement')
class ServiceInvolvementType {}
for (const source of sourceDeclarations) {
  const description = source.graphql.involvementDescription;
  ReleasedAs(involvementRef(source.id))(ServiceInvolvementType.prototype, source.graphql.field);
  Field(() => Boolean, { nullable: true, ...(description ? { description } : {}) })(
    ServiceInvolvementType.prototype,
    source.graphql.field,
  );
}

/**
 * A person in the hub's index: the golden identity (each field released on its own), which sources know
 * them, and their service data fetched live from the sources. Every field but `id` goes through the
 * policy decision point; a withheld field is null with a WITHHELD_BY_POLICY error.
 */
@ObjectType('Person')
@Directive('@key(fields: "id")')
export class PersonModel {
  @Field(() => ID)
  @NotPersonalData('the hub id the caller named or was given by a search')
  id: string;

  @Field({ nullable: true, description: 'The hub knows this person (an existence answer).' })
  @ReleasedAs('hub.match.exists')
  exists?: boolean;

  @Field(() => [String], {
    nullable: true,
    description:
      "Teams holding a current case for the person (an existence answer). A team of a special-category service (social care) is named only where the person's involvement with it may be released.",
  })
  @ReleasedAs('hub.caseload.team')
  holdingTeams?: string[];

  @Field({ nullable: true })
  @ReleasedAs(identityRef('givenName'))
  givenName?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('middleNames'))
  middleNames?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('familyName'))
  familyName?: string;

  @Field(() => [String], { nullable: true })
  @ReleasedAs(identityRef('previousFamilyNames'))
  previousFamilyNames?: string[];

  @Field({ nullable: true, description: 'ISO yyyy-mm-dd.' })
  @ReleasedAs(identityRef('dateOfBirth'))
  dateOfBirth?: string;

  @Field({ nullable: true, description: 'ISO yyyy-mm-dd: set when a death is reported (Tell Us Once).' })
  @ReleasedAs(identityRef('dateOfDeath'))
  dateOfDeath?: string;

  @Field({ nullable: true, description: 'F, M or X.' })
  @ReleasedAs(identityRef('sex'))
  sex?: string;

  @Field({ nullable: true, description: 'National Insurance number in full.' })
  @ReleasedAs(identityRef('nino'))
  nino?: string;

  @Field({ nullable: true, description: 'The NINO with all but its last three characters masked.' })
  @ReleasedAs(identityRef('ninoMasked'))
  ninoMasked?: string;

  @Field({ nullable: true, description: 'NHS number in full.' })
  @ReleasedAs(identityRef('nhsNumber'))
  nhsNumber?: string;

  @Field({ nullable: true, description: 'The NHS number with all but its last three digits masked.' })
  @ReleasedAs(identityRef('nhsNumberMasked'))
  nhsNumberMasked?: string;

  @Field(() => [String], { nullable: true })
  @ReleasedAs(identityRef('addressLines'))
  addressLines?: string[];

  @Field({ nullable: true })
  @ReleasedAs(identityRef('locality'))
  locality?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('postcode'))
  postcode?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('uprn'))
  uprn?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('phone'))
  phone?: string;

  @Field({ nullable: true })
  @ReleasedAs(identityRef('email'))
  email?: string;

  @Field(() => ServiceInvolvementType, {
    nullable: true,
    description: 'Which sources know the person (no service data).',
  })
  services?: ServiceInvolvementModel;
}
