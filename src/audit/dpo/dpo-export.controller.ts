import { once } from 'node:events';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestIdOf } from '../../common/request-id';
import { unsafeTextProblem } from '../../common/safe-text';
import { Roles } from '../../engine/policy/policy.decorator';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { AuditRecorder } from '../../engine/audit-recorder';
import { AuditException } from '../audit.exception';
import { csvHeader, csvRows, exportContentTypes, ExportFormat, exportRecord, ndjsonRows } from './audit-export';
import { AuditEventFilter, filterCondition } from './audit-filter';
import { AuditSearchService } from './audit-search.service';
import { dpoEvent } from './dpo-activity';
import { SubjectAccessService, subjectAccessCsv } from './subject-access.service';

const textKeys = [
  'personId',
  'householdId',
  'actorSubject',
  'organisation',
  'purpose',
  'decision',
  'operation',
  'breakGlassId',
  'caseReference',
] as const;

/** A filter from query parameters; an unknown parameter is refused rather than silently ignored. */
export function filterFromQuery(query: Record<string, unknown>): AuditEventFilter {
  const filter: AuditEventFilter = {};
  for (const [key, raw] of Object.entries(query)) {
    if (key === 'format') continue;
    if (typeof raw !== 'string') throw AuditException.badRequest(`${key} must be given once`);
    refuseUnsafe(key, raw);
    if ((textKeys as readonly string[]).includes(key)) filter[key as (typeof textKeys)[number]] = raw;
    else if (key === 'from' || key === 'to') filter[key] = new Date(raw);
    else if (key === 'fromSeq' || key === 'toSeq') filter[key] = /^\d+$/.test(raw) ? Number(raw) : NaN;
    else throw AuditException.badRequest(`unknown parameter ${key}`);
  }
  filterCondition(filter, []);
  return filter;
}

/**
 * A value the API would refuse as an argument (a control character, a lone surrogate, over 1,000
 * characters: common/safe-text.ts) is refused here too, as a bad request: NUL would otherwise reach
 * PostgreSQL and fail there.
 */
function refuseUnsafe(name: string, value: string): void {
  const problem = unsafeTextProblem(value, 'line');
  if (problem) throw AuditException.badRequest(`${name} is not accepted: ${problem}`);
}

function exportFormat(value: unknown, allowed: readonly string[]): string {
  const format = value ?? allowed[0];
  if (typeof format !== 'string' || !allowed.includes(format))
    throw AuditException.badRequest(`format must be ${allowed.join(' or ')}`);
  return format;
}

/** Streamed downloads for the DPO: events as CSV or NDJSON, and subject access reports. Role `dpo`. */
@Controller('dpo')
export class DpoExportController {
  constructor(
    private readonly search: AuditSearchService,
    private readonly subjectAccess: SubjectAccessService,
    private readonly audit: AuditRecorder,
  ) {}

  /** GET /dpo/audit-events?format=csv|ndjson&personId=...&from=...: every matching event, oldest first. */
  @Get('audit-events')
  @Roles(Role.Dpo)
  async exportEvents(
    @CurrentPrincipal() dpo: Principal,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const format = exportFormat(query.format, ['ndjson', 'csv']) as ExportFormat;
    const filter = filterFromQuery(query);
    await this.audit.record(
      dpoEvent(dpo, 'export', {
        persons: filter.personId ? [filter.personId] : [],
        detail: { format, filter: { ...filter } },
        requestId: requestIdOf(req),
      }),
    );
    res.status(200);
    res.setHeader('content-type', exportContentTypes[format]);
    res.setHeader('content-disposition', `attachment; filename="audit-events.${format}"`);
    res.setHeader('cache-control', 'no-store');
    try {
      if (format === 'csv') res.write(csvHeader());
      for await (const rows of this.search.stream(filter)) {
        if (res.destroyed) return;
        if (!res.write(format === 'csv' ? csvRows(rows) : ndjsonRows(rows))) await once(res, 'drain');
      }
      res.end();
    } catch (error) {
      // Headers are gone: cut the connection so a partial file can never pass for a whole one.
      res.destroy(error as Error);
    }
  }

  /** GET /dpo/subject-access/:personId?format=json|csv&receivedOn=yyyy-mm-dd */
  @Get('subject-access/:personId')
  @Roles(Role.Dpo)
  async subjectAccessReport(
    @CurrentPrincipal() dpo: Principal,
    @Param('personId') personId: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const format = exportFormat(query.format, ['json', 'csv']);
    refuseUnsafe('personId', personId);
    const receivedOn = typeof query.receivedOn === 'string' ? new Date(query.receivedOn) : undefined;
    const report = await this.subjectAccess.report(personId, receivedOn);
    await this.audit.record(
      dpoEvent(dpo, 'subject-access', {
        persons: [personId],
        detail: { format, sourceRecords: report.sourceRecords.length, disclosures: report.disclosures.length },
        requestId: requestIdOf(req),
      }),
    );
    res.setHeader('cache-control', 'no-store');
    if (format === 'csv') {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader(
        'content-disposition',
        `attachment; filename="subject-access-${personId.replace(/[^A-Za-z0-9-]/g, '_')}.csv"`,
      );
      res.status(200).send(subjectAccessCsv(report));
      return;
    }
    res.status(200).json({
      ...report,
      disclosures: report.disclosures.map(exportRecord),
      otherEvents: report.otherEvents.map(exportRecord),
    });
  }
}
