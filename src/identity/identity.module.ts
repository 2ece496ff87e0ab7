import { Global, Module } from '@nestjs/common';
import { HouseholdsModule } from '../households/households.module';
import { AfterSync } from '../sources/sync/after-sync';
import { IdentityPipeline } from './identity-pipeline.service';
import { IdentityIndexService } from './index/identity-index.service';
import { IdentityDecisionsService } from './persons/identity-decisions.service';
import { MatchReviewQuery } from './steward/match-review.query';
import { MatchReviewResolver } from './steward/match-review.resolver';

/** Global so that the sources module's sync can hand over to matching through the AfterSync port. */
@Global()
@Module({
  imports: [HouseholdsModule],
  providers: [
    IdentityIndexService,
    IdentityDecisionsService,
    MatchReviewQuery,
    MatchReviewResolver,
    IdentityPipeline,
    { provide: AfterSync, useExisting: IdentityPipeline },
  ],
  exports: [IdentityIndexService, IdentityDecisionsService, AfterSync],
})
export class IdentityModule {}
