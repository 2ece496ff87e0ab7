import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { QuarantineEntity } from './entities/quarantine.entity';
import { SourceRecordEntity } from './entities/source-record.entity';
import { SourceSyncRunEntity, SourceSyncStateEntity } from './entities/source-sync.entity';
import { SourceRegistry } from './source-registry.service';
import { IdentitySyncService } from './sync/identity-sync.service';
import { SyncScheduler } from './sync/sync-scheduler.service';

/** Source systems: the adapter registry, the identity sync and its schedule. */
@Module({
  imports: [TypeOrmModule.forFeature([SourceRecordEntity, QuarantineEntity, SourceSyncStateEntity, SourceSyncRunEntity])],
  providers: [SourceRegistry, IdentitySyncService, SyncScheduler],
  exports: [SourceRegistry, IdentitySyncService, TypeOrmModule],
})
export class SourcesModule {}
