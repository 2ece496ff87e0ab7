import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { SourcesModule } from '../sources/sources.module';
import { AgreementGate } from './agreement-gate.service';
import { FederationReferenceArgs } from './federation-references';
import { HouseholdDirectory } from './households/household-directory.service';
import { HouseholdResolver } from './households/household.resolver';
import { LiveSources } from './live/live-sources.service';
import { RequestLoadersFactory } from './live/request-loaders';
import { PersonResolver } from './persons/person.resolver';
import { PersonSearchResolver } from './search/person-search.resolver';
import { PersonSearchService } from './search/person-search.service';
import { SearchCursors } from './search/search-cursor';
import { SearchScreening } from './search/search-screening.service';

/**
 * The single view: Person and Household over GraphQL (also federation entities), with service data fetched
 * live from the sources per request. Reads the index (the identity module's PersonDirectory, global) and
 * households; stores nothing.
 */
@Module({
  imports: [AccessModule, SourcesModule],
  providers: [
    FederationReferenceArgs,
    AgreementGate,
    HouseholdDirectory,
    LiveSources,
    RequestLoadersFactory,
    PersonSearchService,
    SearchScreening,
    SearchCursors,
    PersonResolver,
    HouseholdResolver,
    PersonSearchResolver,
  ],
  exports: [LiveSources],
})
export class SingleViewModule {}
