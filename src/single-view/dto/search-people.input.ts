import { Field, InputType, Int } from '@nestjs/graphql';

@InputType('SearchPeopleInput', {
  description:
    'At least one of name, dateOfBirth, postcode, nino. Without a relationship to everyone it may find (e.g. an account manager), ' +
    'a family name and one more of dateOfBirth, postcode, nino.',
})
export class SearchPeopleInput {
  @Field({
    nullable: true,
    description: 'Full name, "Given Family" (middle names ignored); typos and sound-alikes are tolerated.',
  })
  name?: string;

  @Field({ nullable: true, description: 'Given name alone (overrides the first word of name).' })
  givenName?: string;

  @Field({ nullable: true, description: 'Family name alone (overrides the last word of name).' })
  familyName?: string;

  @Field({ nullable: true, description: 'yyyy-mm-dd' })
  dateOfBirth?: string;

  @Field({ nullable: true })
  postcode?: string;

  @Field({ nullable: true, description: 'National Insurance number, spaces allowed.' })
  nino?: string;

  @Field(() => Int, { nullable: true, defaultValue: 10, description: 'Results per page, 1 to 50.' })
  first?: number;

  @Field({ nullable: true, description: 'The endCursor of the previous page of the same search.' })
  after?: string;
}

@InputType('AddressLookupInput', { description: 'A UPRN, or a postcode with optionally the start of the address.' })
export class AddressLookupInput {
  @Field({ nullable: true })
  uprn?: string;

  @Field({ nullable: true })
  postcode?: string;

  @Field({ nullable: true, description: 'Part of the first address line, e.g. "14 Mill Lane" or "Flat 2".' })
  addressLine?: string;
}
