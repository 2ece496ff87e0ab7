import { Module } from '@nestjs/common';
import { IdentityIndexService } from './index/identity-index.service';
import { IdentityDecisionsService } from './persons/identity-decisions.service';

@Module({
  providers: [IdentityIndexService, IdentityDecisionsService],
  exports: [IdentityIndexService, IdentityDecisionsService],
})
export class IdentityModule {}
