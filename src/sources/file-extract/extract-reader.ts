import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { IdentityFields } from '../identity-fields';
import { FieldIssue, RejectedRecord, ServiceRecord } from '../source-adapter';
import { fieldDeclaration, SourceFieldType } from '../source-declaration';
import { badResponse } from '../source-transport';
import { parseExtractDate } from './extract-dates';
import { ColumnSpec, columnOf, ExtractMapping, mappedColumns } from './extract-mapping';

/** One person-record of an extract, as the hub reads it. */
export interface ExtractRecord {
  sourceKey: string;
  identity: IdentityFields;
  issues: FieldIssue[];
  updatedAt?: string;
  details: ServiceRecord[];
}

/** An extract, read: its version (a digest of its bytes), its records in file order, and the rows set aside. */
export interface ExtractSnapshot {
  version: string;
  records: ExtractRecord[];
  byKey: ReadonlyMap<string, ExtractRecord>;
  rejected: RejectedRecord[];
}

const trueWords = new Set(['y', 'yes', 'true', '1', 't']);
const falseWords = new Set(['n', 'no', 'false', '0', 'f']);

/**
 * Reads a CSV extract with its mapping. A header without a mapped column, or text that is not CSV, fails the
 * whole extract (nothing of it is used); a row without a key, with the wrong number of cells or with a key
 * seen before is set aside with the reason; a value that cannot be read (a malformed date, a number that
 * is not one) is left out of the record and reported, the record itself kept.
 */
export function readExtract(text: string, mapping: ExtractMapping): ExtractSnapshot {
  const source = mapping.source.id;
  const version = createHash('sha256').update(text).digest('hex').slice(0, 32);
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: mapping.delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (error) {
    throw badResponse(source, `the extract is not CSV (${(error as Error).message.split('\n')[0].slice(0, 120)})`);
  }
  const [header, ...body] = rows;
  if (!header) throw badResponse(source, 'the extract is empty (no header row)');
  const names = header.map((name) => name.trim());
  const missing = mappedColumns(mapping).filter((column) => !names.includes(column));
  if (missing.length > 0) throw badResponse(source, `the extract has no column ${missing.join(', ')}`);
  const index = new Map(names.map((name, i) => [name, i]));

  const records: ExtractRecord[] = [];
  const byKey = new Map<string, ExtractRecord>();
  const rejected: RejectedRecord[] = [];
  body.forEach((cells, rowIndex) => {
    const line = rowIndex + 2;
    const raw = Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
    const cell = (column: string) => (cells[index.get(column)!] ?? '').trim();
    const key = cell(mapping.key);
    if (cells.length !== names.length) {
      rejected.push({
        ...(key ? { sourceKey: key } : {}),
        code: 'invalid-record',
        reason: `row ${line} has ${cells.length} cells where the header has ${names.length}`,
        raw,
      });
      return;
    }
    if (!key) {
      rejected.push({ code: 'missing-key', reason: `row ${line}: ${mapping.key} is empty`, raw });
      return;
    }
    if (byKey.has(key)) {
      rejected.push({ sourceKey: key, code: 'invalid-record', reason: `row ${line}: key ${key} appears twice`, raw });
      return;
    }
    const record = readRow(cell, key, mapping);
    records.push(record);
    byKey.set(key, record);
  });
  return { version, records, byKey, rejected };
}

function readRow(cell: (column: string) => string, key: string, mapping: ExtractMapping): ExtractRecord {
  const issues: FieldIssue[] = [];
  const text = (spec: ColumnSpec): string | undefined => {
    const value = cell(columnOf(spec));
    if (!value) return undefined;
    return typeof spec !== 'string' && spec.values ? (spec.values[value] ?? value) : value;
  };
  const date = (field: string, spec: ColumnSpec): string | undefined => {
    const value = text(spec);
    if (value === undefined) return undefined;
    const formats = typeof spec !== 'string' && Array.isArray(spec.date) ? spec.date : mapping.dateFormats;
    const iso = parseExtractDate(value, formats);
    if (!iso)
      issues.push({
        field,
        code: 'malformed-date',
        reason: `${field}: ${JSON.stringify(value)} is not a date (${formats.join(' or ')})`,
        value,
      });
    return iso;
  };
  const isDate = (spec: ColumnSpec) => typeof spec !== 'string' && spec.date !== undefined;

  const identity: IdentityFields = {};
  const target = identity as Record<string, unknown>;
  for (const [field, spec] of Object.entries(mapping.identity)) {
    if (spec === undefined) continue;
    if (field === 'addressLines') {
      const lines = (spec as ColumnSpec[]).map(text).filter((line): line is string => !!line);
      if (lines.length > 0) identity.addressLines = lines;
    } else if (field === 'identifiers') {
      const ids: Record<string, string> = {};
      for (const [name, column] of Object.entries(spec as Record<string, ColumnSpec>)) {
        const value = text(column);
        if (value) ids[name] = value;
      }
      if (Object.keys(ids).length > 0) identity.identifiers = ids;
    } else {
      const column = spec as unknown as ColumnSpec;
      if (field === 'dateOfBirth' || isDate(column)) {
        const iso = date(field, column);
        if (iso) target[field] = iso;
      } else if (field === 'previousFamilyNames') {
        const value = text(column);
        const separator = typeof column !== 'string' && column.separator ? column.separator : ';';
        const names = (value ?? '')
          .split(separator)
          .map((n) => n.trim())
          .filter(Boolean);
        if (names.length > 0) identity.previousFamilyNames = names;
      } else if (field === 'sex') {
        const value = text(column)?.toUpperCase();
        if (value === 'F' || value === 'M' || value === 'X') identity.sex = value;
        else if (value !== undefined)
          issues.push({
            field,
            code: 'invalid-record',
            reason: `sex: ${JSON.stringify(value)} is not F, M or X`,
            value,
          });
      } else {
        const value = text(column);
        if (value !== undefined) target[field] = value;
      }
    }
  }

  const details: ServiceRecord[] = [];
  for (const category of mapping.source.categories) {
    const map = mapping.categories[category.name];
    if (map.when && !cell(map.when)) continue;
    const fields: Record<string, unknown> = {};
    let held = false;
    for (const [field, spec] of Object.entries(map.fields)) {
      const type = fieldDeclaration(category.fields[field]).type;
      const ref = `${category.name}.${field}`;
      const value = isDate(spec) ? date(ref, spec) : typed(text(spec), type, ref, issues);
      fields[field] = value ?? null;
      if (value !== undefined) held = true;
    }
    if (!held && !map.when) continue;
    details.push({ category: category.name, recordId: cell(map.recordId ?? mapping.key) || key, fields });
  }

  let updatedAt: string | undefined;
  if (mapping.updatedAt) {
    const value = text(mapping.updatedAt);
    if (value && !Number.isNaN(Date.parse(value))) updatedAt = new Date(value).toISOString();
    else if (value) {
      const iso = date('updatedAt', mapping.updatedAt);
      if (iso) updatedAt = `${iso}T00:00:00.000Z`;
    }
  }
  return { sourceKey: key, identity, issues, details, ...(updatedAt ? { updatedAt } : {}) };
}

function typed(value: string | undefined, type: SourceFieldType, ref: string, issues: FieldIssue[]): unknown {
  if (value === undefined) return undefined;
  const bad = (what: string) => {
    issues.push({
      field: ref,
      code: 'invalid-record',
      reason: `${ref}: ${JSON.stringify(value)} is not ${what}`,
      value,
    });
    return undefined;
  };
  switch (type) {
    case 'String':
      return value;
    case 'Float': {
      const n = Number(value.replace(/%$/, ''));
      return value !== '' && Number.isFinite(n) ? n : bad('a number');
    }
    case 'Int': {
      const n = Number(value);
      return Number.isInteger(n) ? n : bad('a whole number');
    }
    case 'Boolean': {
      const word = value.toLowerCase();
      if (trueWords.has(word)) return true;
      if (falseWords.has(word)) return false;
      return bad('yes or no');
    }
  }
}
