import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module';
import { AccessFactsLoader, RelationshipFacts } from '../../access/policy/access-facts.loader';
import { SourcesModule } from '../../sources/sources.module';
import { SingleViewModule } from '../single-view.module';
import { EligibilityInputs } from './eligibility-inputs.service';
import { EligibilityPolicy } from './eligibility-policy.service';
import { EligibilityResolver } from './eligibility.resolver';
import { EligibilityService } from './eligibility.service';
import { PersonSourcesQuery } from './person-sources.query';

/**
 * Answers without disclosure: `checkEligibility`. The access module does not export its facts loader, so
 * the loader (stateless) is provided here over the access module's exported services.
 */
@Module({
  imports: [AccessModule, SourcesModule, SingleViewModule],
  providers: [
    RelationshipFacts,
    AccessFactsLoader,
    EligibilityPolicy,
    PersonSourcesQuery,
    EligibilityInputs,
    EligibilityService,
    EligibilityResolver,
  ],
})
export class EligibilityModule {}
