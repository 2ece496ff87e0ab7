import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QuarantineEntity } from './entities/quarantine.entity';
import { SourceRecordEntity } from './entities/source-record.entity';
import { SourceSyncRunEntity, SourceSyncStateEntity } from './entities/source-sync.entity';
import { QuarantinePurgeService } from './quarantine/quarantine-purge.service';
import { SourceRegistry } from './source-registry.service';
import { IdentitySyncService } from './sync/identity-sync.service';
import { SyncScheduler } from './sync/sync-scheduler.service';

/** Source systems: the adapter registry, the identity sync and its schedule, the quarantine's retention. */
@Module({
  imports: [
    TypeOrmModule.forFeature([SourceRecordEntity, QuarantineEntity, SourceSyncStateEntity, SourceSyncRunEntity]),
  ],
  providers: [SourceRegistry, IdentitySyncService, QuarantinePurgeService, SyncScheduler],
  exports: [SourceRegistry, IdentitySyncService, QuarantinePurgeService, TypeOrmModule],
})
export class SourcesModule {}
