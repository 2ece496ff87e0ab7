import { Controller, Get, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { Public } from '../engine/policy/policy.decorator';
import { AuditHealthIndicator } from '../audit/audit-health';
import { principalOf } from '../engine/request-context';
import { Principal, Role } from '../engine/principal';
import { DatabaseHealthIndicator } from './database-health';

/** Who may read the checks behind the answer: the hub's operators (see docs/operations.md). */
const DETAIL_ROLES: readonly Role[] = [Role.Admin, Role.Dpo];

/**
 * Liveness (`/health/live`: the process answers) and readiness (`/health`: the database answers, and the
 * audit trail can take events, without which nothing is released).
 *
 * Anyone gets readiness as up (200) or down (503) and nothing more: the checks behind it (the audit chain's
 * head, the age of the last signed checkpoint, that the trail is failing) tell an outsider how busy the hub
 * is and when its trail is weakest. An operator (a verified `admin` or `dpo` token) gets the checks too.
 */
// Probes for load balancers and orchestrators: no token, no personal data. A token sent is verified (a bad one is refused).
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
  async check(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<HealthCheckResult | { status: 'up' | 'down' }> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.database.check(), () => this.audit.check()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    // Degraded is still ready (see audit/audit-health.ts): traffic is not turned away on it.
    const up = result.status === 'ok' || result.status === 'degraded';
    res.status(up ? 200 : 503);
    return isOperator(principalOf(req)) ? result : { status: up ? 'up' : 'down' };
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}

function isOperator(principal: Principal | undefined): boolean {
  return !!principal && principal.roles.some((role) => DETAIL_ROLES.includes(role));
}
