import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditHealthIndicator } from '../audit/audit-health';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [HealthController], providers: [AuditHealthIndicator] })
export class HealthModule {}
