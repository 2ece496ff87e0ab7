import { Global, Module } from '@nestjs/common';
import { SubjectIdentities } from '../audit/dpo/subject-identities';
import { HomeEvidence } from '../households/home-evidence';
import { HouseholdsModule } from '../households/households.module';
import { AfterSync } from '../sources/sync/after-sync';
import { PersonDirectory } from './directory/person-directory.service';
import { PersonSearchIndex } from './directory/person-search.index';
import { IdentityPipeline } from './identity-pipeline.service';
import { IdentityIndexService } from './index/identity-index.service';
import { IdentityDecisionsService } from './persons/identity-decisions.service';
import { ReportedIdentityService } from './persons/reported-identity.service';
import { MatchReviewQuery } from './steward/match-review.query';
import { MatchReviewResolver } from './steward/match-review.resolver';

/**
 * Global so that the sources module's sync can hand over to matching through the AfterSync port, and so
 * that every module reads the person index through its owner's port, PersonDirectory (the households
 * module's HomeEvidence and the audit module's SubjectIdentities too).
 */
@Global()
@Module({
  imports: [HouseholdsModule],
  providers: [
    PersonDirectory,
    PersonSearchIndex,
    IdentityIndexService,
    IdentityDecisionsService,
    ReportedIdentityService,
    MatchReviewQuery,
    MatchReviewResolver,
    IdentityPipeline,
    { provide: AfterSync, useExisting: IdentityPipeline },
    { provide: HomeEvidence, useExisting: PersonDirectory },
    { provide: SubjectIdentities, useExisting: PersonDirectory },
  ],
  exports: [
    PersonDirectory,
    PersonSearchIndex,
    IdentityIndexService,
    IdentityDecisionsService,
    ReportedIdentityService,
    AfterSync,
    HomeEvidence,
    SubjectIdentities,
  ],
})
export class IdentityModule {}
