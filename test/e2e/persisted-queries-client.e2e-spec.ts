import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { PERSISTED_QUERY_NOT_ALLOWED } from '../../src/graphql/persisted-queries';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

/**
 * A partner client pinned to its persisted queries, built the usual way: Apollo Client 4 with its
 * persisted-query link, over real HTTP on loopback. Its operations are registered as docs/federation.md
 * shows (the document as the partner wrote it); the client adds `__typename` and prints them its own way.
 */

// Written as a partner would, laid out and commented, without __typename.
const registered = {
  version: `# the advice CRM's start-up check
    query HubVersion { hubInfo { version } }`,
  whoAmI: 'query WhoAmI { me { subject organisation roles client } }',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Sent {
  hashOnly: boolean;
  codes: string[];
}

describe('persisted-query allow-list with Apollo Client 4 (automatic persisted queries)', () => {
  let hub: TestHub;
  let url: string;
  let token: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-apq-client-'));
    const allowList = join(dir, 'persisted-queries.json');
    writeFileSync(allowList, JSON.stringify({ clients: { 'advice-crm': Object.values(registered) } }));
    hub = await startTestHub({ HUB_DATA_DIR: dir, RATE_LIMIT_PER_MINUTE: '0', GRAPHQL_PERSISTED_QUERIES: allowList });
    await hub.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(hub.app.getHttpServer().address() as AddressInfo).port}/graphql`;
    token = await hub.app.get(DevTokenIssuer).issue({
      subject: 'advice-crm',
      organisation: 'citizens-advice',
      roles: [Role.PartnerAgency],
      client: 'advice-crm',
    });
  });
  afterAll(() => hub?.stop());

  /** A fresh client (empty cache), and what it sent: whether each request was hash-only, and the codes it got back. */
  const client = () => {
    const sent: Sent[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init?.body ?? '{}'));
      const response = await fetch(input, init);
      const answer = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
      sent.push({
        hashOnly: body.query === undefined && !!body.extensions?.persistedQuery,
        codes: (answer.errors ?? []).map((e) => String(e.extensions?.code)),
      });
      return response;
    };
    const apollo = new ApolloClient({
      cache: new InMemoryCache(),
      link: new PersistedQueryLink({ sha256 }).concat(
        new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${token}` } }),
      ),
    });
    return { apollo, sent };
  };

  it('runs a registered operation from its first, hash-only request: the hub knows the hash Apollo Client sends', async () => {
    const { apollo, sent } = client();
    const result = await apollo.query({ query: gql(registered.version), fetchPolicy: 'network-only' });
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ hubInfo: { __typename: 'HubInfo', version: expect.any(String) } });
    expect(sent).toEqual([{ hashOnly: true, codes: [] }]);

    // Another instance of the client (a new session) finds it the same way.
    const again = client();
    const second = await again.apollo.query({ query: gql(registered.version), fetchPolicy: 'network-only' });
    expect(second.data).toEqual(result.data);
    expect(again.sent).toEqual([{ hashOnly: true, codes: [] }]);
  });

  it('runs another registered operation, as its verified client', async () => {
    const { apollo, sent } = client();
    const result = await apollo.query({ query: gql(registered.whoAmI), fetchPolicy: 'network-only' });
    expect(result.error).toBeUndefined();
    expect(sent).toEqual([{ hashOnly: true, codes: [] }]);
    expect(result.data).toMatchObject({
      me: { subject: 'advice-crm', client: 'advice-crm', roles: ['PARTNER_AGENCY'] },
    });
  });

  it('still refuses an operation that is not registered', async () => {
    const { apollo, sent } = client();
    const result = await apollo.query({
      query: gql('query HubVersion { hubInfo { version database } }'),
      fetchPolicy: 'network-only',
      errorPolicy: 'all',
    });
    expect(result.data ?? undefined).toBeUndefined();
    expect(sent.at(-1)).toEqual({ hashOnly: false, codes: [PERSISTED_QUERY_NOT_ALLOWED] });
  });
});
