import { Module } from '@nestjs/common';
import { AccessModule } from '../../access/access.module';
import { SourcesModule } from '../../sources/sources.module';
import { SingleViewModule } from '../single-view.module';
import { EligibilityInputs } from './eligibility-inputs.service';
import { EligibilityResolver } from './eligibility.resolver';
import { EligibilityService } from './eligibility.service';

/**
 * Answers without disclosure: `checkEligibility`. Decided and audited by the access module's PolicyService,
 * over the identity module's PersonDirectory (global), with the single view's live sources.
 */
@Module({
  imports: [AccessModule, SourcesModule, SingleViewModule],
  providers: [EligibilityInputs, EligibilityService, EligibilityResolver],
})
export class EligibilityModule {}
