import type { SourceAdapter, SourceDescription } from './source-adapter';
import type { AdapterContext } from './source-transport';

/**
 * What a source module declares once, as data (`modules/<x>/`): its categories and fields with their GraphQL
 * names and types, which categories are special category, how far the golden identity trusts it. The hub
 * derives the rest from it: the GraphQL service types and `ServiceInvolvement`, the field references
 * (`source.category.field`), the special-category rules, survivorship and the demo agreements. Part of the
 * port: `modules/*` import it.
 */
export interface SourceDeclaration {
  /** Stable id used in configuration, agreements and audit: `housing`, `social-care`. */
  id: string;
  /** e.g. `Housing (tenancies and homelessness)`. */
  name: string;
  graphql: {
    /** The person's field with the source's live records: `housing`, `socialCare`. */
    field: string;
    /** Its type: `HousingRecords`. */
    type: string;
    /** The type's description. */
    typeDescription: string;
    /** The person field's description. */
    fieldDescription: string;
    /** The description of the source's field in `ServiceInvolvement` (which sources know the person), if any. */
    involvementDescription?: string;
  };
  /**
   * `whole`: everything about the source is special category (UK GDPR Art. 9), even that it knows the person
   * (social care). Otherwise only the categories marked `specialCategory` are.
   */
  specialCategory?: 'whole';
  /**
   * The golden identity's trust in the source's identifiers: a rank per field, 1 the most trusted. Sources
   * ranking a field come before those that do not, which come after equally.
   */
  trust?: Partial<Record<TrustedField, number>>;
  categories: SourceCategoryDeclaration[];
  /**
   * What the demo agreements (`npm start`) release of this source: lines added to an agreement's release
   * list for a purpose. Each line is a category (all its fields), `category.field`, or `involvement` (that
   * the source knows the person).
   */
  demoReleases?: { agreement: string; purpose: string; fields: string[] }[];
}

export type TrustedField = 'nino' | 'nhsNumber' | 'dateOfBirth';

export type SourceFieldType = 'String' | 'Float' | 'Int' | 'Boolean';

export interface SourceFieldDeclaration {
  type: SourceFieldType;
  description?: string;
}

export interface SourceCategoryDeclaration {
  /** The category's name in field references: `tenancy`, `homelessness-application`. */
  name: string;
  /** What the category holds, for agreement authors. */
  description: string;
  /** Special-category data under UK GDPR Art. 9 (health, social care): an agreement releasing it needs an Art. 9 condition. */
  specialCategory: boolean;
  graphql: {
    /** The list field in the source's records type: `tenancies`. */
    list: string;
    /** The type of one record: `Tenancy`. */
    type: string;
    description: string;
  };
  /** Field name → its GraphQL type (`String` when only the type is given); in the order the schema lists them. */
  fields: Record<string, SourceFieldType | SourceFieldDeclaration>;
}

/**
 * A source module (`modules/<x>/index.ts`): its declaration, its adapter, and its sandbox source system.
 * The sandbox is typed by the module (`SourceModule<SandboxDefinition>`, src/sandbox/sandbox-kit.ts) and
 * opaque here, so that sources never depend on the sandbox (src/sandbox/sandbox-registry.ts reads it).
 */
export interface SourceModule<Sandbox = unknown> {
  declaration: SourceDeclaration;
  createAdapter(context: AdapterContext): SourceAdapter;
  /** The synthetic source system for development, tests and the benchmark. */
  sandbox?: Sandbox;
}

/** A field's declaration in full. */
export function fieldDeclaration(spec: SourceFieldType | SourceFieldDeclaration): SourceFieldDeclaration {
  return typeof spec === 'string' ? { type: spec } : spec;
}

/** The category's field names, in order. */
export function fieldNames(category: SourceCategoryDeclaration): string[] {
  return Object.keys(category.fields);
}

/** The agreement field references of a category: `source.category.field`, all of them or those named. */
export function categoryRefs(source: SourceDeclaration, categoryName: string, fields?: readonly string[]): string[] {
  const category = source.categories.find((c) => c.name === categoryName);
  if (!category) throw new Error(`source ${source.id} declares no category ${categoryName}`);
  const names = fieldNames(category);
  for (const field of fields ?? []) {
    if (!names.includes(field)) throw new Error(`${source.id}.${categoryName} declares no field ${field}`);
  }
  return (fields ?? names).map((field) => `${source.id}.${category.name}.${field}`);
}

/** The field references of a demo release's lines (see `SourceDeclaration.demoReleases`). */
export function demoReleaseRefs(source: SourceDeclaration, lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    if (line === 'involvement') return [`${source.id}.involvement.known`];
    const [category, field] = line.split('.');
    return categoryRefs(source, category, field === undefined ? undefined : [field]);
  });
}

/** What an adapter's `describe()` answers: the declaration's catalogue part. */
export function describeSource(declaration: SourceDeclaration): SourceDescription {
  return {
    id: declaration.id,
    name: declaration.name,
    categories: declaration.categories.map((c) => ({
      name: c.name,
      description: c.description,
      specialCategory: declaration.specialCategory === 'whole' || c.specialCategory,
      fields: fieldNames(c),
    })),
  };
}

/** `source.category` of every special category the sources declare (a whole-special source's too). */
export function specialCategoryRefs(declarations: readonly SourceDeclaration[]): string[] {
  return declarations.flatMap((d) =>
    d.categories.filter((c) => d.specialCategory === 'whole' || c.specialCategory).map((c) => `${d.id}.${c.name}`),
  );
}

/** For each trusted field, the source ids in order of trust (those ranking it first, by rank; ties by registration). */
export function trustOrder(declarations: readonly SourceDeclaration[]): Record<TrustedField, string[]> {
  const order = (field: TrustedField) =>
    declarations
      .filter((d) => d.trust?.[field] !== undefined)
      .map((d, index) => ({ id: d.id, rank: d.trust![field]!, index }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map((d) => d.id);
  return { nino: order('nino'), nhsNumber: order('nhsNumber'), dateOfBirth: order('dateOfBirth') };
}
