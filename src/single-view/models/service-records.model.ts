import { Field, Float, Int, ObjectType, ReturnTypeFuncValue } from '@nestjs/graphql';
import { ReleasedAs } from '../../engine/policy/policy.decorator';
import {
  fieldDeclaration,
  fieldNames,
  SourceCategoryDeclaration,
  SourceDeclaration,
  SourceFieldType,
} from '../../sources/source-declaration';
import { sourceDeclarations } from '../../sources/source-registry';

/** A category's records as GraphQL returns them: the source's fields by name. */
export type ServiceRecordView = Record<string, unknown>;

const scalars: Record<SourceFieldType, ReturnTypeFuncValue> = {
  String,
  Float,
  Int,
  Boolean,
};

/**
 * A GraphQL type for one category of a source's records: one nullable field per declared field, each
 * released as `source.category.field`. Generated from the source's declaration, so the schema cannot drift
 * from the agreement field names.
 */
function serviceRecordType(source: SourceDeclaration, category: SourceCategoryDeclaration) {
  @ObjectType(category.graphql.type, { description: category.graphql.description })
  class ServiceRecordType {}
  Object.defineProperty(ServiceRecordType, 'name', { value: `${category.graphql.type}Model` });
  for (const [name, spec] of Object.entries(category.fields)) {
    const { type, description } = fieldDeclaration(spec);
    ReleasedAs(`${source.id}.${category.name}.${name}`)(ServiceRecordType.prototype, name);
    Field(() => scalars[type], { nullable: true, ...(description ? { description } : {}) })(
      ServiceRecordType.prototype,
      name,
    );
  }
  return ServiceRecordType;
}

/** A source's records type (`HousingRecords`): one list per category, each of its record type. */
function sourceRecordsType(source: SourceDeclaration) {
  @ObjectType(source.graphql.type, { description: source.graphql.typeDescription })
  class SourceRecordsType {}
  Object.defineProperty(SourceRecordsType, 'name', { value: `${source.graphql.type}Model` });
  for (const category of source.categories) {
    const recordType = serviceRecordType(source, category);
    Field(() => [recordType])(SourceRecordsType.prototype, category.graphql.list);
  }
  return SourceRecordsType;
}

/** Each source's records type, by source id. */
export const SOURCE_RECORD_TYPES: ReadonlyMap<string, ReturnType<typeof sourceRecordsType>> = new Map(
  sourceDeclarations.map((source) => [source.id, sourceRecordsType(source)]),
);

/** The categories the single view shows, with their fields, by source: as the declarations name them. */
export const SERVICE_CATEGORIES: Record<string, Record<string, readonly string[]>> = Object.fromEntries(
  sourceDeclarations.map((source) => [
    source.id,
    Object.fromEntries(source.categories.map((category) => [category.name, fieldNames(category)])),
  ]),
);

/** GraphQL list field → source category, per source. */
export const CATEGORY_FIELDS: Record<string, Record<string, string>> = Object.fromEntries(
  sourceDeclarations.map((source) => [
    source.id,
    Object.fromEntries(source.categories.map((category) => [category.graphql.list, category.name])),
  ]),
);
