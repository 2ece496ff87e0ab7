import {
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { Prng } from './prng';

/**
 * Operations generated from the built schema: every Query and Mutation field, and in each every place a
 * value can go (an argument, or a field of an input object at any depth, list items included). A `Slot`
 * is one such place; the suite puts a hostile value into one slot and plausible values everywhere else,
 * so the hostile one reaches as far as it can into the resolver.
 */
export interface Slot {
  root: 'query' | 'mutation';
  field: string;
  /** The argument, then input fields; `[]` for a list item: `['input', 'parties', '[]']`. */
  path: string[];
  /** The named type at the slot: String, ID, Int, Float, Boolean, an enum or a custom scalar. */
  type: string;
}

export type Delivery = 'variables' | 'literal' | 'get';

export interface GeneratedOperation {
  slot: Slot;
  query: string;
  variables: Record<string, unknown>;
  operationName: string;
}

/** A plausible value for a String or ID place (a real person id for a person's id), or undefined for a generic one. */
export type Plausible = (field: string, path: readonly string[]) => string | undefined;

/** Fields that are not the API's own and answer nothing an argument could change. */
const SKIPPED = new Set(['_service']);
/** Deeper input objects than this are not walked (none in the schema is; a recursive one would be). */
const MAX_INPUT_DEPTH = 4;

const rootsOf = (schema: GraphQLSchema) =>
  [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const;

/** Every slot of every root field, in schema order. */
export function slotsOf(schema: GraphQLSchema): Slot[] {
  const slots: Slot[] = [];
  for (const [root, type] of rootsOf(schema)) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      if (SKIPPED.has(field.name)) continue;
      for (const arg of field.args)
        walkInput(arg.type, [arg.name], 0, (path, named) =>
          slots.push({ root, field: field.name, path, type: named.name }),
        );
    }
  }
  return slots;
}

/** The field with no hostile value: plausible values everywhere (for finding who may call it). */
export const wholeField = (root: Slot['root'], field: string): Slot => ({ root, field, path: [], type: '' });

/** Root fields, for the suite's check that each one was exercised. */
export function rootFieldsOf(schema: GraphQLSchema): { root: 'query' | 'mutation'; field: string; hasArgs: boolean }[] {
  return rootsOf(schema).flatMap(([root, type]) =>
    type
      ? Object.values(type.getFields())
          .filter((f) => !SKIPPED.has(f.name))
          .map((f) => ({ root, field: f.name, hasArgs: f.args.length > 0 }))
      : [],
  );
}

function walkInput(
  type: GraphQLInputType,
  path: string[],
  depth: number,
  visit: (path: string[], named: GraphQLNamedType) => void,
): void {
  if (isNonNullType(type)) return walkInput(type.ofType, path, depth, visit);
  if (isListType(type)) return walkInput(type.ofType, [...path, '[]'], depth, visit);
  if (isInputObjectType(type)) {
    if (depth >= MAX_INPUT_DEPTH) return;
    for (const field of Object.values(type.getFields())) walkInput(field.type, [...path, field.name], depth + 1, visit);
    return;
  }
  visit(path, type);
}

/**
 * One operation on the slot's root field: `hostile` at the slot, plausible values in every required place
 * and in some optional ones, and a selection of the field's scalars two levels down (so field policies and
 * nested resolvers run too). Delivered in variables, as literals in the document, or (queries) by GET.
 */
export function operationFor(
  schema: GraphQLSchema,
  slot: Slot,
  hostile: unknown,
  delivery: Delivery,
  rnd: Prng,
  plausible: Plausible,
): GeneratedOperation {
  const rootType = slot.root === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const field = rootType.getFields()[slot.field];
  const values = argumentValues(field, slot, hostile, rnd, plausible);
  const operationName = `Fuzz_${slot.field}`;
  const selection = selectionOf(field.type, 0);
  const keyword = slot.root === 'query' ? 'query' : 'mutation';
  if (delivery === 'literal') {
    const args = field.args
      .filter((arg) => arg.name in values)
      .map((arg) => `${arg.name}: ${literal(values[arg.name], arg.type)}`);
    return {
      slot,
      operationName,
      variables: {},
      query: `${keyword} ${operationName} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`,
    };
  }
  const used = field.args.filter((arg) => arg.name in values);
  const definitions = used.map((arg) => `$${arg.name}: ${String(arg.type)}`);
  const args = used.map((arg) => `${arg.name}: $${arg.name}`);
  return {
    slot,
    operationName,
    variables: Object.fromEntries(used.map((arg) => [arg.name, values[arg.name]])),
    query: `${keyword} ${operationName}${definitions.length ? `(${definitions.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`,
  };
}

function argumentValues(
  field: GraphQLField<unknown, unknown>,
  slot: Slot,
  hostile: unknown,
  rnd: Prng,
  plausible: Plausible,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    const onSlot = slot.path[0] === arg.name;
    if (!onSlot && !required(arg) && !rnd.chance(0.3)) continue;
    values[arg.name] = valueOf(
      arg.type,
      [arg.name],
      onSlot ? slot.path : undefined,
      hostile,
      field.name,
      rnd,
      plausible,
    );
  }
  return values;
}

const required = (arg: Pick<GraphQLArgument, 'type' | 'defaultValue'>) =>
  isNonNullType(arg.type) && arg.defaultValue === undefined;

function valueOf(
  type: GraphQLInputType,
  path: string[],
  slot: string[] | undefined,
  hostile: unknown,
  field: string,
  rnd: Prng,
  plausible: Plausible,
): unknown {
  if (slot && slot.length === path.length) return hostile;
  if (isNonNullType(type)) return valueOf(type.ofType, path, slot, hostile, field, rnd, plausible);
  if (isListType(type)) return [valueOf(type.ofType, [...path, '[]'], slot, hostile, field, rnd, plausible)];
  if (isInputObjectType(type)) {
    const object: Record<string, unknown> = {};
    for (const input of Object.values(type.getFields())) {
      const next = [...path, input.name];
      const onSlot = slot !== undefined && slot[path.length] === input.name;
      if (!onSlot && !required(input) && !rnd.chance(0.4)) continue;
      object[input.name] = valueOf(input.type, next, onSlot ? slot : undefined, hostile, field, rnd, plausible);
    }
    return object;
  }
  if (isEnumType(type)) return rnd.pick(type.getValues()).name;
  switch (type.name) {
    case 'Int':
      return 1 + rnd.int(10);
    case 'Float':
      return 2.5;
    case 'Boolean':
      return rnd.chance(0.5);
    case 'DateTime':
      return new Date(Date.UTC(2025, rnd.int(12), 1 + rnd.int(28))).toISOString();
    case 'Seq':
      return rnd.int(50);
    case 'String':
    case 'ID':
      return plausible(field, path) ?? genericText(path, rnd);
    default:
      // A custom scalar carrying structure (`_Any`): an entity representation.
      return { __typename: 'Person', id: plausible(field, ['id']) ?? uuid(rnd) };
  }
}

function genericText(path: readonly string[], rnd: Prng): string {
  const name = path.filter((part) => part !== '[]').at(-1) ?? '';
  if (/id$/i.test(name)) return uuid(rnd);
  if (/reason|note|title/i.test(name)) return 'A plausible reason written for the fuzz suite, in a sentence';
  if (/date/i.test(name)) return '2025-06-01';
  return `fuzz-${rnd.int(1000)}`;
}

function uuid(rnd: Prng): string {
  const hex = () => rnd.int(16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-8${part(3)}-${part(12)}`;
}

/**
 * A value as a GraphQL literal. Strings are written as JSON writes them, which is GraphQL's string syntax
 * too; a lone surrogate becomes a `\ud800` escape, which the parser must refuse with a coded error.
 */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (isNonNullType(type)) return literal(value, type.ofType);
  if (isListType(type))
    return Array.isArray(value)
      ? `[${value.map((item) => literal(item, type.ofType)).join(', ')}]`
      : literal(value, type.ofType);
  if (isInputObjectType(type) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = type.getFields();
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}: ${fields[key] ? literal(item, fields[key].type) : JSON.stringify(item)}`)
      .join(', ')}}`;
  }
  if (isEnumType(type) && typeof value === 'string' && type.getValue(value)) return value;
  if (typeof value === 'object') return objectLiteral(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  return JSON.stringify(value);
}

function objectLiteral(value: object): string {
  if (Array.isArray(value)) return `[${value.map(objectLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(
      ([key, item]) =>
        `${key}: ${item !== null && typeof item === 'object' ? objectLiteral(item) : JSON.stringify(item)}`,
    )
    .join(', ')}}`;
}

/** Scalars of the type and, one level down, of its object fields; fields needing arguments are left out. */
function selectionOf(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) {
    const members = named
      .getTypes()
      .map((member) => `... on ${member.name} { ${scalarFields(member).slice(0, 8).join(' ') || '__typename'} }`);
    return ` { __typename ${members.join(' ')} }`;
  }
  if (!isObjectType(named) && !isInterfaceType(named)) return ' { __typename }';
  const parts = scalarFields(named);
  if (depth < 1) {
    for (const field of Object.values(named.getFields())) {
      if (isLeafType(getNamedType(field.type)) || field.args.some(required)) continue;
      parts.push(`${field.name}${selectionOf(field.type, depth + 1)}`);
    }
  }
  return ` { ${parts.length ? parts.join(' ') : '__typename'} }`;
}

function scalarFields(type: GraphQLNamedType): string[] {
  if (!isObjectType(type) && !isInterfaceType(type)) return [];
  return Object.values(type.getFields())
    .filter((field) => isLeafType(getNamedType(field.type)) && !field.args.some(required))
    .map((field) => field.name);
}
