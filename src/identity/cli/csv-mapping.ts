import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IdentityFields } from '../../sources/identity-fields';
import { splitFullName } from '../matching/names';
import { DateFormat } from './date-format';

const column = z.string().trim().min(1, 'a column name must not be empty');
const columns = z.union([column, z.array(column).min(1)]);

export const mappingSchema = z
  .object({
    /** Column holding each row's record id; without it the row's line number is the id. */
    recordId: column.optional(),
    fields: z
      .object({
        givenName: column,
        middleNames: column,
        familyName: column,
        fullName: column,
        previousFamilyNames: columns,
        dateOfBirth: z.union([column, z.object({ column, format: z.string().min(1) }).strict()]),
        sex: column,
        nino: column,
        nhsNumber: column,
        uprn: column,
        addressLines: columns,
        locality: column,
        postcode: column,
        email: column,
        phone: column,
        identifiers: z.record(z.string().trim().min(1), column),
      })
      .partial()
      .strict()
      .refine((f) => Object.keys(f).length > 0, 'map at least one field'),
  })
  .strict();

export type Mapping = z.output<typeof mappingSchema>;

export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
}

export function readMapping(path: string): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CsvInputError(
      `mapping ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`}`,
    );
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || '(top level)';
    const message =
      issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new CsvInputError(`mapping ${path}: ${where}: ${message}`);
  }
  return parsed.data;
}

/** Turns CSV rows (by column name) into identity fields, as one mapping describes. */
export class RowMapper {
  private readonly dob: { column: string; format: DateFormat } | null;
  /** Values of the date column that did not fit its format: counted and reported, then treated as missing. */
  badDates = 0;
  firstBadDateLine: number | null = null;

  constructor(
    readonly mapping: Mapping,
    /** The mapping file, named in errors. */
    readonly mappingPath: string,
  ) {
    const d = mapping.fields.dateOfBirth;
    try {
      this.dob =
        d === undefined
          ? null
          : typeof d === 'string'
            ? { column: d, format: new DateFormat('yyyy-MM-dd') }
            : { column: d.column, format: new DateFormat(d.format) };
    } catch (error) {
      throw new CsvInputError(`mapping ${mappingPath}: fields.dateOfBirth.format: ${(error as Error).message}`);
    }
  }

  /** Every column the mapping names, with where it is named, to check against a file's header. */
  columnsUsed(): { column: string; field: string }[] {
    const out: { column: string; field: string }[] = [];
    if (this.mapping.recordId) out.push({ column: this.mapping.recordId, field: 'recordId' });
    for (const [field, spec] of Object.entries(this.mapping.fields)) {
      if (typeof spec === 'string') out.push({ column: spec, field: `fields.${field}` });
      else if (Array.isArray(spec)) spec.forEach((c, i) => out.push({ column: c, field: `fields.${field}[${i}]` }));
      else if (field === 'dateOfBirth')
        out.push({ column: (spec as { column: string }).column, field: 'fields.dateOfBirth.column' });
      else
        for (const [key, c] of Object.entries(spec as Record<string, string>))
          out.push({ column: c, field: `fields.identifiers.${key}` });
    }
    return out;
  }

  map(row: Record<string, string>, line: number): IdentityFields {
    const f = this.mapping.fields;
    const get = (c: string | undefined) => (c === undefined ? undefined : row[c] || undefined);
    const list = (spec: string | string[] | undefined) =>
      spec === undefined ? [] : (Array.isArray(spec) ? spec : [spec]).map((c) => row[c]).filter(Boolean);
    const out: IdentityFields = {};
    const set = <K extends keyof IdentityFields>(key: K, value: IdentityFields[K] | undefined) => {
      if (value !== undefined && !(Array.isArray(value) && !value.length)) out[key] = value;
    };
    set('givenName', get(f.givenName));
    set('middleNames', get(f.middleNames));
    set('familyName', get(f.familyName));
    const full = get(f.fullName);
    if (full) {
      const split = splitFullName(full);
      out.givenName ??= split.givenName;
      out.middleNames ??= split.middleNames;
      out.familyName ??= split.familyName;
      for (const k of ['givenName', 'middleNames', 'familyName'] as const) if (out[k] === undefined) delete out[k];
    }
    set('previousFamilyNames', list(f.previousFamilyNames));
    if (this.dob) {
      const raw = row[this.dob.column];
      if (raw) {
        const iso = this.dob.format.parse(raw);
        if (iso) out.dateOfBirth = iso;
        else {
          this.badDates++;
          this.firstBadDateLine ??= line;
        }
      }
    }
    set('sex', sexOf(get(f.sex)));
    set('nino', get(f.nino));
    set('nhsNumber', get(f.nhsNumber));
    set('uprn', get(f.uprn));
    set('addressLines', list(f.addressLines));
    set('locality', get(f.locality));
    set('postcode', get(f.postcode));
    set('email', get(f.email));
    set('phone', get(f.phone));
    if (f.identifiers) {
      const ids: Record<string, string> = {};
      for (const [key, c] of Object.entries(f.identifiers)) if (row[c]) ids[key] = row[c];
      if (Object.keys(ids).length) out.identifiers = ids;
    }
    return out;
  }
}

function sexOf(value: string | undefined): IdentityFields['sex'] | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  if (['m', 'male', 'man', 'boy'].includes(v)) return 'M';
  if (['f', 'female', 'woman', 'girl'].includes(v)) return 'F';
  return 'X';
}
