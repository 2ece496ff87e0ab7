import { stringify } from 'csv-stringify/sync';
import { AuditRow, hashedColumns } from '../audit-content';

export type ExportFormat = 'csv' | 'ndjson';

export const exportContentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * An event as exported: every stored column under its own name, the time in ISO 8601, so an NDJSON export
 * holds everything needed to recompute the hashes away from the hub.
 */
export function exportRecord(row: AuditRow): Record<string, unknown> {
  return {
    ...row,
    seq: Number(row.seq),
    occurred_at: new Date(row.occurred_at).toISOString(),
    purged_by: row.purged_by === null ? null : Number(row.purged_by),
  };
}

export const csvColumns = [
  'seq',
  'occurred_at',
  'operation',
  ...hashedColumns,
  'content_hash',
  'prev_hash',
  'hash',
  'purged_by',
] as const;

/** A cell a spreadsheet will not run as a formula (OWASP CSV injection): such text gets a leading quote. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return safeCell(value.join(' | '));
  if (
    Array.isArray(value) &&
    value.every((item) => item && typeof item === 'object' && 'source' in item && 'field' in item)
  ) {
    return safeCell((value as { source: string; field: string }[]).map((f) => `${f.source}:${f.field}`).join(' | '));
  }
  if (typeof value === 'object') return safeCell(JSON.stringify(value));
  return safeCell(String(value));
}

export function csvHeader(): string {
  return stringify([[...csvColumns]]);
}

export function csvRows(rows: AuditRow[]): string {
  return stringify(
    rows.map((row) => {
      const record = exportRecord(row);
      return csvColumns.map((column) => cell(record[column]));
    }),
  );
}

export function ndjsonRows(rows: AuditRow[]): string {
  return rows.map((row) => `${JSON.stringify(exportRecord(row))}\n`).join('');
}
