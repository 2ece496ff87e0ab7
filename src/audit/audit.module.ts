import { Global, Module } from '@nestjs/common';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { AuditRecorder } from '../engine/audit-recorder';
import { AuditRetentionService } from './audit-retention.service';
import { AuditVerifierService } from './audit-verifier.service';
import { AuditService } from './audit.service';
import { AuditActivityService } from './dpo/audit-activity.service';
import { AuditAnomalyService } from './dpo/audit-anomaly.service';
import { AuditSearchService } from './dpo/audit-search.service';
import { BreakGlassReviewsService } from './dpo/break-glass-reviews.service';
import { DpoExportController } from './dpo/dpo-export.controller';
import { DpoResolver } from './dpo/dpo.resolver';
import { SubjectAccessService } from './dpo/subject-access.service';

/**
 * The audit trail and the DPO's tools. Global, so every module can take `AuditRecorder` in its constructor
 * and write events through the port without importing this module.
 */
@Global()
@Module({
  providers: [
    AuditService,
    { provide: AuditRecorder, useExisting: AuditService },
    AuditCheckpointService,
    AuditVerifierService,
    AuditRetentionService,
    AuditSearchService,
    AuditAnomalyService,
    AuditActivityService,
    SubjectAccessService,
    BreakGlassReviewsService,
    DpoResolver,
  ],
  controllers: [DpoExportController],
  exports: [
    AuditRecorder,
    AuditService,
    AuditCheckpointService,
    AuditVerifierService,
    AuditRetentionService,
    AuditSearchService,
  ],
})
export class AuditModule {}
