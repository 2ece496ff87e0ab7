import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditHealthIndicator } from '../audit/audit-health';
import { DatabaseHealthIndicator } from './database-health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, AuditHealthIndicator],
})
export class HealthModule {}
