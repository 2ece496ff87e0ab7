import { Module } from '@nestjs/common';
import { IdentityIndexService } from './index/identity-index.service';
import { IdentityDecisionsService } from './persons/identity-decisions.service';
import { MatchReviewQuery } from './steward/match-review.query';
import { MatchReviewResolver } from './steward/match-review.resolver';

@Module({
  providers: [IdentityIndexService, IdentityDecisionsService, MatchReviewQuery, MatchReviewResolver],
  exports: [IdentityIndexService, IdentityDecisionsService],
})
export class IdentityModule {}
