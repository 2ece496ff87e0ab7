import {
  DocumentNode,
  FieldNode,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { MAX_LENGTH_EXTENSION, SAFE_TEXT_EXTENSION, SafeTextMode } from '../common/safe-text';

/** One string the operation sends, where it goes and how it must look. */
export interface TextInput {
  value: string;
  mode: SafeTextMode;
  /** `Mutation.createAgreement`: the field whose argument holds it. */
  coordinate: string;
  argument: string;
  /** Inside the argument, e.g. `title`, `releases[0].fields[1]`; empty for the argument itself. */
  path: string;
  /** Set when the value is refused whatever its text (nested too deeply to be read). */
  problem?: string;
  /** The input field's own limit, when it allows more than the default (common/safe-text.ts). */
  maxLength?: number;
}

export interface OperationInputs {
  texts: TextInput[];
  /** Every representation sent to `_entities`, all its fields (aliases) together. */
  representations: unknown[];
}

export const ENTITIES_FIELD = '_entities';
const BUILT_IN_TEXT = new Set(['String', 'ID']);

/**
 * The argument values the operation will run with, coerced as execution will coerce them (variables and
 * literals alike): each string with the text mode of the input field it fills, and the representations
 * asked of `_entities`. Undefined when the variables do not coerce: execution refuses those itself.
 */
export function operationInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): OperationInputs | undefined {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return undefined;
  const found: OperationInputs = { texts: [], representations: [] };
  for (const { node, field, coordinate, entities } of fieldsWithArguments(schema, document, operation)) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, node, coerced.coerced);
    } catch {
      // An argument that does not coerce: execution refuses the field with its own error.
      continue;
    }
    for (const arg of field.args) {
      if (args[arg.name] === undefined) continue;
      const sink: Sink = (value, mode, path, problem, maxLength) =>
        found.texts.push({
          value,
          mode,
          coordinate,
          argument: arg.name,
          path,
          ...(problem ? { problem } : {}),
          ...(maxLength ? { maxLength } : {}),
        });
      collect(args[arg.name], arg.type, 'line', sink, '');
    }
    if (entities && Array.isArray(args.representations)) found.representations.push(...args.representations);
  }
  return found;
}

/** A field of the operation that takes arguments, with its definition in the schema. */
interface FieldWithArguments {
  node: FieldNode;
  field: GraphQLField<unknown, unknown>;
  /** `Mutation.createAgreement`. */
  coordinate: string;
  /** `Query._entities`, whose representations are checked apart. */
  entities: boolean;
}

/**
 * Where in an operation arguments are given: found once per parsed document (Apollo keeps a parsed and
 * validated document for each query text it has seen, so a query sent again is the same object), instead
 * of walking every field of the document with its types on every request.
 */
const argumentSites = new WeakMap<
  DocumentNode,
  { schema: GraphQLSchema; sites: Map<OperationDefinitionNode, FieldWithArguments[]> }
>();

function fieldsWithArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): FieldWithArguments[] {
  let known = argumentSites.get(document);
  if (!known || known.schema !== schema) {
    known = { schema, sites: new Map() };
    argumentSites.set(document, known);
  }
  let sites = known.sites.get(operation);
  if (sites) return sites;
  const found: FieldWithArguments[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      // Other operations in the document do not run; their variables were not given.
      OperationDefinition: (node) => (node === operation ? undefined : false),
      Field: (node) => {
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (!field || !parent || field.args.length === 0) return;
        found.push({
          node,
          field,
          coordinate: `${parent.name}.${field.name}`,
          entities: parent === schema.getQueryType() && field.name === ENTITIES_FIELD,
        });
      },
    }),
  );
  sites = found;
  known.sites.set(operation, sites);
  return sites;
}

type Sink = (value: string, mode: SafeTextMode, path: string, problem?: string, maxLength?: number) => void;

function collect(
  value: unknown,
  type: GraphQLInputType,
  mode: SafeTextMode,
  sink: Sink,
  path: string,
  maxLength?: number,
): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return collect(value, type.ofType, mode, sink, path, maxLength);
  if (isListType(type)) {
    if (Array.isArray(value))
      value.forEach((item, i) => collect(item, type.ofType, mode, sink, `${path}[${i}]`, maxLength));
    return;
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      const fieldMode = field.extensions?.[SAFE_TEXT_EXTENSION] === 'multiline' ? 'multiline' : 'line';
      const fieldMax = field.extensions?.[MAX_LENGTH_EXTENSION];
      collect(
        (value as Record<string, unknown>)[field.name],
        field.type,
        fieldMode,
        sink,
        path ? `${path}.${field.name}` : field.name,
        typeof fieldMax === 'number' ? fieldMax : undefined,
      );
    }
    return;
  }
  const named = getNamedType(type);
  if (value instanceof Date) {
    // The DateTime scalar turns any string into a Date, "not a date" into an invalid one, which reached
    // PostgreSQL as NaN and failed there as an internal error.
    const problem = dateTimeProblem(value);
    if (problem) sink('', mode, path, problem);
    return;
  }
  if (isScalarType(named) && !BUILT_IN_TEXT.has(named.name)) {
    // A scalar that carries structure (`_Any`, JSON): every key and string inside it is one-line text.
    return collectDeep(value, sink, path, 0);
  }
  if (typeof value === 'string') sink(value, mode, path, undefined, maxLength);
}

/** The years of an RFC 3339 date-time; PostgreSQL and JavaScript both hold every instant between. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function dateTimeProblem(value: Date): string | undefined {
  const time = value.getTime();
  if (Number.isNaN(time)) return 'it is not a date-time (ISO 8601, e.g. 2025-06-01T09:00:00Z)';
  if (time < EARLIEST || time > LATEST) return 'it is outside the years 0001 to 9999';
  return undefined;
}

/** Deeper than any honest representation: past it nothing is read, and the value is refused. */
const MAX_DEPTH = 20;

function collectDeep(value: unknown, sink: Sink, path: string, depth: number): void {
  if (typeof value === 'string') return sink(value, 'line', path);
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  if (depth > MAX_DEPTH) return sink('', 'line', path, `it is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) return value.forEach((item, i) => collectDeep(item, sink, `${path}[${i}]`, depth + 1));
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    sink(key, 'line', at);
    collectDeep(item, sink, at, depth + 1);
  }
}
