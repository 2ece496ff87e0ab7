import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, GraphQLDataSource, LocalGraphQLDataSource, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import request from 'supertest';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

/**
 * docs/federation.md's Apollo Gateway set-up, run for real on loopback: the hub (in process, over HTTP) and
 * a housing association subgraph (in memory) composed into one supergraph. A partner query for the
 * association's caseload makes the gateway ask the hub for the hub's Person fields through `_entities`,
 * forwarding the token and the user's purpose; the hub's refusals reach the partner with their codes.
 */

const housingAssociationTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Person @key(fields: "id") {
    id: ID!
    tenancySustainment: String
  }
  type Query {
    sustainmentCaseload: [Person!]!
  }
`);

interface PartnerContext {
  hubToken?: string;
  purpose?: string;
}

type GraphqlError = { message: string; extensions?: { code?: string } };

describe('the hub behind an Apollo Gateway 2 (federation)', () => {
  let hub: TestHub;
  let gateway: ApolloServer<PartnerContext>;
  let partnerToken: string;
  let dpoToken: string;
  const caseload = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    hub = await startTestHub({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-gateway-')), RATE_LIMIT_PER_MINUTE: '0' });
    await hub.app.listen(0, '127.0.0.1');
    const hubUrl = `http://127.0.0.1:${(hub.app.getHttpServer().address() as AddressInfo).port}/graphql`;
    const issuer = hub.app.get(DevTokenIssuer);
    partnerToken = await issuer.issue({
      subject: 'ha-gateway',
      organisation: 'housing-association',
      roles: [Role.PartnerAgency],
      client: 'ha-gateway',
    });
    dpoToken = await issuer.issue({ subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] });

    // Composed as the partner's CI would, from the hub's published SDL.
    const sdl = (await request(hub.server).post('/graphql').send({ query: '{ _service { sdl } }' }).expect(200)).body
      .data._service.sdl;
    const composed = composeServices([
      { name: 'council-hub', url: hubUrl, typeDefs: parse(sdl) },
      { name: 'housing-association', url: 'local://housing-association', typeDefs: housingAssociationTypeDefs },
    ]);
    if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join('; ')}`);

    const association = buildSubgraphSchema({
      typeDefs: housingAssociationTypeDefs,
      resolvers: {
        Query: { sustainmentCaseload: () => caseload.map((id) => ({ id })) },
        Person: { tenancySustainment: () => 'weekly visits' },
      },
    });
    const gatewayImpl = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      buildService: ({ name, url }): GraphQLDataSource<PartnerContext> =>
        name === 'council-hub'
          ? new RemoteGraphQLDataSource<PartnerContext>({
              url,
              willSendRequest({ request: outgoing, context }) {
                if (context.hubToken) outgoing.http!.headers.set('authorization', `Bearer ${context.hubToken}`);
                if (context.purpose) outgoing.http!.headers.set('x-purpose', context.purpose);
              },
            })
          : new LocalGraphQLDataSource(association),
    });
    gateway = new ApolloServer<PartnerContext>({ gateway: gatewayImpl });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
    await hub?.stop();
  });

  const caseloadQuery = '{ sustainmentCaseload { id tenancySustainment givenName } }';
  const ask = async (contextValue: PartnerContext) => {
    const response = await gateway.executeOperation({ query: caseloadQuery }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };

  it.each<[string, () => PartnerContext, string]>([
    ['no token', () => ({ purpose: 'SAFEGUARDING' }), 'UNAUTHENTICATED'],
    ['no purpose', () => ({ hubToken: partnerToken }), 'PURPOSE_REQUIRED'],
    ['a role that may not see people', () => ({ hubToken: dpoToken, purpose: 'SAFEGUARDING' }), 'FORBIDDEN'],
  ])('passes the hub refusal of %s through with its code', async (_case, context, code) => {
    const result = await ask(context());
    const errors = (result.errors ?? []) as GraphqlError[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.extensions?.code)).toEqual(errors.map(() => code));
    expect(errors.map((e) => e.message)).not.toContain('Internal server error');
    // The association's own data still arrives; the hub's fields are null, not invented.
    expect(result.data).toEqual({
      sustainmentCaseload: caseload.map((id) => ({ id, tenancySustainment: 'weekly visits', givenName: null })),
    });
  });
});
