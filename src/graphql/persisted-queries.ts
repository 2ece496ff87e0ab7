import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ASTNode, DocumentNode, FieldNode, GraphQLError, Kind, parse, print, visit } from 'graphql';
import { z } from 'zod';
import { Authenticator } from '../auth/authenticator.service';
import { ConfigError } from '../config/config';
import { HubRequestContext } from '../engine/request-context';
import { toGraphqlError } from './graphql-errors';

export const PERSISTED_QUERY_NOT_ALLOWED = 'PERSISTED_QUERY_NOT_ALLOWED';

/** One client's allow-list: the operations it may run, by hash. */
export interface ClientAllowList {
  /** SHA-256 (hex) of the exact text of each allowed document, as Apollo's automatic persisted queries hash it. */
  exact: ReadonlySet<string>;
  /** SHA-256 of each allowed document in its normal form (see `normalisedText`), so layout, comments and `__typename` do not matter. */
  normalised: ReadonlySet<string>;
  /** Hash → document text (the exact text, the normal form and Apollo Client's form, each under its own hash), for hash-only requests. */
  documents: ReadonlyMap<string, string>;
}

/** OAuth client id (the token's `azp` / `client_id`) → its allow-list. */
export type PersistedQueryLists = ReadonlyMap<string, ClientAllowList>;

const hashEntry = /^(?:sha256:)?([0-9a-f]{64})$/i;

const fileSchema = z
  .object({
    clients: z.record(z.string().min(1).max(256), z.array(z.string().min(1))),
  })
  .strict();

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A document as graphql-js prints it, without `__typename` fields. Apollo Client adds `__typename` to every
 * selection set and prints the document itself, so the text it sends (and hashes) is never the one a
 * partner registered; a type name discloses nothing the operation does not already ask for.
 */
export function normalisedText(document: DocumentNode): string {
  return print(
    visit(document, {
      [Kind.FIELD]: (field) => (field.name.value === '__typename' ? null : undefined),
    }),
  );
}

const TYPENAME: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/**
 * A document as Apollo Client sends and hashes it: `__typename` appended to every selection set but the
 * operation's own, unless the set already asks for a field whose name starts with `__` or is exported
 * (`@export`), then printed by graphql-js (Apollo Client's `addTypenameToDocument` and `print`). Its hash is
 * registered for hash-only requests, so a listed operation's first request by hash alone is found.
 */
export function apolloClientText(document: DocumentNode): string {
  return print(
    visit(document, {
      [Kind.SELECTION_SET]: {
        enter(node, _key, parent) {
          // A selection set's parent is the node that owns it: an operation, a field, a fragment.
          const owner = parent as ASTNode | undefined;
          if (owner?.kind === Kind.OPERATION_DEFINITION) return undefined;
          if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'))) return undefined;
          if (owner?.kind === Kind.FIELD && owner.directives?.some((d) => d.name.value === 'export')) return undefined;
          return { ...node, selections: [...node.selections, TYPENAME] };
        },
      },
    }),
  );
}

/**
 * Reads GRAPHQL_PERSISTED_QUERIES: `{"clients": {"<client id>": ["<operation document>" | "<sha256 hex>", ...]}}`.
 * Every document must parse; a problem stops the hub with one line naming the file, the client and the entry.
 */
export function loadPersistedQueryLists(path: string, maxTokens?: number): PersistedQueryLists {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `not valid JSON (${(error as Error).message})`;
    throw new ConfigError(`Invalid persisted queries (${path}): ${why}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid persisted queries (${path}): ${issue.path.join('.') || 'file'} ${issue.message}`);
  }
  const lists = new Map<string, ClientAllowList>();
  for (const [client, entries] of Object.entries(parsed.data.clients)) {
    const exact = new Set<string>();
    const normalised = new Set<string>();
    const documents = new Map<string, string>();
    entries.forEach((entry, index) => {
      const hash = hashEntry.exec(entry.trim());
      if (hash) {
        // A bare hash may be of the exact text or of the normal form: both are checked.
        exact.add(hash[1].toLowerCase());
        normalised.add(hash[1].toLowerCase());
        return;
      }
      let document: DocumentNode;
      try {
        document = parse(entry, maxTokens ? { maxTokens } : undefined);
      } catch (error) {
        throw new ConfigError(
          `Invalid persisted queries (${path}): clients.${client}[${index}] is neither a GraphQL document nor a SHA-256 hash (${(error as Error).message.split('\n')[0]})`,
        );
      }
      exact.add(sha256(entry));
      documents.set(sha256(entry), entry);
      const normal = normalisedText(document);
      normalised.add(sha256(normal));
      documents.set(sha256(normal), normal);
      // Apollo Client's persisted-query link sends the hash of its own printing first, with no document.
      const sent = apolloClientText(document);
      documents.set(sha256(sent), sent);
    });
    lists.set(client, { exact, normalised, documents });
  }
  return lists;
}

/**
 * Whether a resolved operation is on the list: by the hash of its text, else by the hash of its normal form
 * (or, for a list entry given as a bare hash, of its printed form with any `__typename` it has).
 */
export function isAllowed(
  list: ClientAllowList,
  queryHash: string | undefined,
  document: DocumentNode | undefined,
): boolean {
  if (queryHash && list.exact.has(queryHash.toLowerCase())) return true;
  if (!document) return false;
  return list.normalised.has(sha256(normalisedText(document))) || list.normalised.has(sha256(print(document)));
}

/**
 * The per-client persisted-query allow-list, as an Apollo plugin. A client with a list may run only the
 * operations on it; anything else is refused after parsing and validation and before execution, with
 * PERSISTED_QUERY_NOT_ALLOWED. Clients without a list, and requests without a token, are unaffected.
 *
 * The list is chosen by the client of a *verified* token only: the plugin authenticates the request itself
 * (Authenticator caches the outcome per request, so the guard reuses it, and a failed sign-in is audited
 * once). A token that fails verification refuses the request here, so it can neither pick a list nor run
 * what no list allows.
 */
export function persistedQueriesPlugin(
  lists: PersistedQueryLists,
  authenticator: Authenticator,
): ApolloServerPlugin<HubRequestContext> {
  return {
    async requestDidStart({ contextValue, request }): Promise<GraphQLRequestListener<HubRequestContext> | void> {
      const { req } = contextValue;
      if (!req?.headers.authorization) return;
      let list: ClientAllowList | undefined;
      let failure: GraphQLError | undefined;
      try {
        const principal = await authenticator.authenticate(contextValue);
        list = principal.client === undefined ? undefined : lists.get(principal.client);
      } catch (error) {
        failure = toGraphqlError(error);
      }
      if (failure) {
        return {
          async didResolveOperation() {
            throw failure;
          },
        };
      }
      if (!list) return;
      // A client may send only the hash of a listed document (of its exact text, its normal form or Apollo
      // Client's printing of it), whether or not this instance has seen it. Any other hash goes on to Apollo's own persisted queries:
      // one it has not stored is answered PERSISTED_QUERY_NOT_FOUND, and Apollo Client then sends the
      // document with the hash, which is checked against the list like any other.
      const hash = request.extensions?.persistedQuery?.sha256Hash;
      if (request.query === undefined && typeof hash === 'string')
        request.query = list.documents.get(hash.toLowerCase());
      const allowList = list;
      return {
        async didResolveOperation({ queryHash, document }) {
          if (isAllowed(allowList, queryHash, document)) return;
          throw new GraphQLError(
            'This client may run only the operations registered for it (persisted-query allow-list)',
            {
              extensions: { code: PERSISTED_QUERY_NOT_ALLOWED, domain: true, http: { status: 403 } },
            },
          );
        },
      };
    },
  };
}
