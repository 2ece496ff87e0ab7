import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function parse(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new GraphQLError('An audit sequence number is a whole number from 0 to 2^53 - 1', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return n;
}

/** Audit sequence numbers outgrow GraphQL's 32-bit Int; this scalar carries them as JSON numbers (safe to 2^53). */
export const SeqScalar = new GraphQLScalarType({
  name: 'Seq',
  description: 'An audit event sequence number: a whole number (JSON number, exact up to 2^53 - 1).',
  serialize: (value) => parse(typeof value === 'bigint' ? value.toString() : value),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING)
      return parse(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
    throw new GraphQLError('An audit sequence number is a whole number', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
