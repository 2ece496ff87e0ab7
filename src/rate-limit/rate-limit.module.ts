import { Global, Module } from '@nestjs/common';
import { RefusalAuditService } from './refusal-audit.service';
import { RateLimitService } from './rate-limit.service';
import { RateLimitedStatusPlugin } from './rate-limited-status.plugin';

/**
 * Request budgets shared by every instance, the 429 status of a GraphQL answer refused for its rate, and
 * the audit of refusals that come in floods (one event each up to a budget, then one count per window).
 */
@Global()
@Module({
  providers: [RateLimitService, RefusalAuditService, RateLimitedStatusPlugin],
  exports: [RateLimitService, RefusalAuditService],
})
export class RateLimitModule {}
