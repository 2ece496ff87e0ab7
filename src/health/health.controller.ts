import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../access/policy/policy.decorator';
import { AuditHealthIndicator } from '../audit/audit-health';
import { DatabaseHealthIndicator } from './database-health';

/**
 * Liveness (`/health/live`: the process answers) and readiness (`/health`: the database answers, and the
 * audit trail can take events, without which nothing is released).
 */
// Probes for load balancers and orchestrators: no token, no personal data.
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly audit: AuditHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.database.check(), () => this.audit.check()]);
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
