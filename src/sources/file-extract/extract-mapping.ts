import { z } from 'zod';
import { ConfigError } from '../../config/config';
import { identityFieldNames } from '../identity-fields';
import { isKnownDateFormat } from './extract-dates';
import { demoReleaseRefs, fieldDeclaration, SourceDeclaration } from '../source-declaration';

/**
 * The mapping file of a CSV extract source (docs/sources.md): the source's declaration (categories, fields,
 * GraphQL names), where its extract is, and which column holds what. Validated when the hub starts: a
 * mistake is one line naming the file and the setting.
 */

const fieldType = z.enum(['String', 'Float', 'Int', 'Boolean']);
const lowerWords = /^[a-z][a-z0-9-]{0,62}$/;
const camelName = /^[a-z][a-zA-Z0-9]{0,62}$/;
const typeName = /^[A-Z][A-Za-z0-9]{0,62}$/;

const declarationSchema = z
  .object({
    id: z.string().regex(lowerWords, 'must be lower-case words joined by hyphens'),
    name: z.string().min(1),
    graphql: z
      .object({
        field: z.string().regex(camelName, 'must be a camelCase GraphQL field name'),
        type: z.string().regex(typeName, 'must be a PascalCase GraphQL type name'),
        typeDescription: z.string().min(1),
        fieldDescription: z.string().min(1),
        involvementDescription: z.string().min(1).optional(),
      })
      .strict(),
    specialCategory: z.literal('whole').optional(),
    trust: z
      .object({
        nino: z.number().int().min(1).optional(),
        nhsNumber: z.number().int().min(1).optional(),
        dateOfBirth: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    categories: z
      .array(
        z
          .object({
            name: z.string().regex(lowerWords, 'must be lower-case words joined by hyphens'),
            description: z.string().min(1),
            specialCategory: z.boolean(),
            graphql: z
              .object({
                list: z.string().regex(camelName, 'must be a camelCase GraphQL field name'),
                type: z.string().regex(typeName, 'must be a PascalCase GraphQL type name'),
                description: z.string().min(1),
              })
              .strict(),
            fields: z.record(
              z.string().regex(camelName, 'field names are camelCase'),
              z.union([fieldType, z.object({ type: fieldType, description: z.string().min(1).optional() }).strict()]),
            ),
          })
          .strict(),
      )
      .min(1),
    demoReleases: z
      .array(
        z
          .object({
            agreement: z.string().min(1),
            purpose: z.string().regex(/^[A-Z][A-Z_]*$/, 'must be a purpose code'),
            fields: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** A column, or a column with how to read it. */
const column = z.union([
  z.string().min(1),
  z
    .object({
      column: z.string().min(1),
      /** A date: read with these formats (else the mapping's `dateFormats`) into ISO `yyyy-mm-dd`. */
      date: z.union([z.literal(true), z.array(z.string().min(1)).min(1)]).optional(),
      /** A list in one cell, split on this (previous family names). */
      separator: z.string().min(1).optional(),
      /** The source's codes → the values the hub uses (`{"Male": "M"}`); a code not listed is kept as it is. */
      values: z.record(z.string(), z.string()).optional(),
    })
    .strict(),
]);

const identityKeys = identityFieldNames.filter((name) => name !== 'addressLines' && name !== 'identifiers');

const mappingSchema = z
  .object({
    source: declarationSchema,
    extract: z.union([
      /** Fetched over HTTPS from the connection's base URL (sources configuration), with its credentials. */
      z.object({ path: z.string().regex(/^\//, 'must start with /') }).strict(),
      /** The newest file in a folder whose name matches `pattern` (a regular expression). */
      z.object({ folder: z.string().min(1), pattern: z.string().min(1).default('\\.csv$') }).strict(),
    ]),
    delimiter: z.string().length(1).default(','),
    /** The column holding the source's key for the person-record. */
    key: z.string().min(1),
    /** Formats dates are written in, tried in order: `dd/MM/yyyy`, `yyyy-MM-dd`, `d/M/yyyy`, `dd-MM-yyyy`, `yyyyMMdd`. */
    dateFormats: z.array(z.string().min(1)).min(1).default(['yyyy-MM-dd']),
    /** A column with when the source last changed the record (a date or an ISO timestamp). */
    updatedAt: column.optional(),
    /** How long the last extract read serves details before it is read again. */
    refreshSeconds: z.number().int().min(0).max(86_400).default(300),
    identity: z
      .object({
        ...Object.fromEntries(identityKeys.map((name) => [name, column.optional()])),
        addressLines: z.array(column).min(1).optional(),
        /** Other identifiers by name (a unique pupil number): compared exactly by the matcher. */
        identifiers: z.record(z.string().regex(camelName), column).optional(),
      })
      .strict(),
    categories: z.record(
      z.string(),
      z
        .object({
          /** A record of the category exists for the row only when this column is not empty. */
          when: z.string().min(1).optional(),
          /** The column with the record's id (default: the key column). */
          recordId: z.string().min(1).optional(),
          fields: z.record(z.string(), column),
        })
        .strict(),
    ),
  })
  .strict();

export type ColumnSpec = z.infer<typeof column>;
export type ExtractMapping = z.infer<typeof mappingSchema> & { source: SourceDeclaration };

/**
 * Reads a mapping (parsed JSON) and checks it against itself: every mapped category and field is declared,
 * dates have formats this reader knows. Throws a ConfigError whose one-line message names the origin and
 * the setting, e.g. `Invalid extract mapping (library.mapping.json): categories.loans is not a category of source library`.
 */
export function parseExtractMapping(raw: unknown, origin: string): ExtractMapping {
  const fail = (path: string, message: string) =>
    new ConfigError(`Invalid extract mapping (${origin}): ${path ? `${path} ` : ''}${message}`);
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(issue.path.join('.'), issue.message.replace(/^Invalid input: /, ''));
  }
  const result = parsed.data as ExtractMapping;
  const declared = new Map(result.source.categories.map((c) => [c.name, c]));
  const categoryNames = result.source.categories.map((c) => c.name);
  if (new Set(categoryNames).size !== categoryNames.length) throw fail('source.categories', 'names a category twice');
  for (const format of result.dateFormats)
    if (!isKnownDateFormat(format)) throw fail('dateFormats', `has a format this reader does not know: ${format}`);
  const checkColumn = (path: string, spec: ColumnSpec) => {
    if (typeof spec === 'string' || spec.date === undefined || spec.date === true) return;
    for (const format of spec.date)
      if (!isKnownDateFormat(format)) throw fail(`${path}.date`, `has a format this reader does not know: ${format}`);
  };
  for (const [name, spec] of Object.entries(result.identity)) {
    if (spec === undefined) continue;
    if (Array.isArray(spec)) spec.forEach((s, i) => checkColumn(`identity.${name}.${i}`, s));
    else if (name === 'identifiers')
      for (const [id, s] of Object.entries(spec as Record<string, ColumnSpec>))
        checkColumn(`identity.identifiers.${id}`, s);
    else checkColumn(`identity.${name}`, spec as unknown as ColumnSpec);
  }
  for (const [name, category] of Object.entries(result.categories)) {
    const declaration = declared.get(name);
    if (!declaration) throw fail(`categories.${name}`, `is not a category of source ${result.source.id}`);
    for (const [field, spec] of Object.entries(category.fields)) {
      const declaredField = declaration.fields[field];
      if (!declaredField) throw fail(`categories.${name}.fields.${field}`, `is not a field of category ${name}`);
      checkColumn(`categories.${name}.fields.${field}`, spec);
      const isDate = typeof spec !== 'string' && spec.date !== undefined;
      if (isDate && fieldDeclaration(declaredField).type !== 'String')
        throw fail(`categories.${name}.fields.${field}`, 'is a date, so it must be declared String');
    }
  }
  (result.source.demoReleases ?? []).forEach((release, i) => {
    try {
      demoReleaseRefs(result.source, release.fields);
    } catch (error) {
      throw fail(`source.demoReleases.${i}.fields`, (error as Error).message);
    }
  });
  for (const declaration of result.source.categories)
    if (!result.categories[declaration.name])
      throw fail(`categories`, `maps no columns to declared category ${declaration.name}`);
  return result;
}

/** The column a spec reads. */
export function columnOf(spec: ColumnSpec): string {
  return typeof spec === 'string' ? spec : spec.column;
}

/** Every column the mapping reads, for checking an extract's header. */
export function mappedColumns(mapping: ExtractMapping): string[] {
  const columns = new Set<string>([mapping.key]);
  const add = (spec: ColumnSpec | undefined) => spec !== undefined && columns.add(columnOf(spec));
  add(mapping.updatedAt);
  for (const [name, spec] of Object.entries(mapping.identity)) {
    if (spec === undefined) continue;
    if (Array.isArray(spec)) spec.forEach(add);
    else if (name === 'identifiers') Object.values(spec as Record<string, ColumnSpec>).forEach(add);
    else add(spec as unknown as ColumnSpec);
  }
  for (const category of Object.values(mapping.categories)) {
    if (category.when) columns.add(category.when);
    if (category.recordId) columns.add(category.recordId);
    Object.values(category.fields).forEach(add);
  }
  return [...columns];
}
