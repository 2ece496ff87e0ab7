import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { composeServices as composeServicesV29 } from '@apollo/composition-v2-9';
import { buildSchema, isObjectType, Kind, ObjectTypeDefinitionNode, parse, visit } from 'graphql';
import request from 'supertest';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

/**
 * The worked example of docs/federation.md, run for real: a housing association's subgraph adds its own
 * fields to the hub's Person (same `@key(fields: "id")`), and the two compose into one supergraph as a
 * partner's gateway would compose them.
 */
const housingAssociationSubgraph = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    "The association's tenancy-sustainment support for this person, if any."
    tenancySustainment: TenancySustainment
  }

  type TenancySustainment {
    supportWorker: String!
    riskLevel: RiskLevel!
    lastVisitOn: String
  }

  enum RiskLevel {
    LOW
    MEDIUM
    HIGH
  }

  type Query {
    "People the association is supporting now."
    sustainmentCaseload: [Person!]!
  }
`;

describe('composing the hub with a partner subgraph (Apollo Federation 2)', () => {
  let hub: TestHub;
  let sdl: string;

  beforeAll(async () => {
    hub = await startTestHub({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-federation-')) });
    const res = await request(hub.server).post('/graphql').send({ query: '{ _service { sdl } }' }).expect(200);
    sdl = res.body.data._service.sdl;
  });
  afterAll(() => hub?.stop());

  it('publishes Person as an entity keyed by id', () => {
    expect(sdl).toMatch(/type Person\s+@key\(fields: "id"\)/);
  });

  it('links the oldest federation version that serves it (v2.3), importing only the directives it uses', () => {
    const links: { url: string; imports: string[] }[] = [];
    const used = new Set<string>();
    visit(parse(sdl), {
      Directive(node) {
        if (node.name.value !== 'link') return void used.add(`@${node.name.value}`);
        const arg = (name: string) => node.arguments?.find((a) => a.name.value === name)?.value;
        const url = arg('url');
        const imports = arg('import');
        links.push({
          url: url?.kind === Kind.STRING ? url.value : '',
          imports:
            imports?.kind === Kind.LIST ? imports.values.map((v) => (v.kind === Kind.STRING ? v.value : '')) : [],
        });
      },
    });
    const federation = links.filter((l) => l.url.startsWith('https://specs.apollo.dev/federation/'));
    expect(federation.map((l) => l.url)).toEqual(['https://specs.apollo.dev/federation/v2.3']);
    // Built-in directives need no import; every other one used is imported, and nothing else is.
    const federationUsed = [...used].filter((name) => !['@deprecated', '@specifiedBy', '@oneOf'].includes(name));
    expect(federation[0].imports.sort()).toEqual(federationUsed.sort());
  });

  // A partner's gateway may be older than the hub's libraries: composition 2.9 refused a federation/v2.14 link.
  it.each([
    ['the current @apollo/composition', composeServices],
    ['@apollo/composition 2.9', composeServicesV29 as unknown as typeof composeServices],
  ])('composes with %s, without errors', (_name, compose) => {
    const result = compose([
      { name: 'hub', url: 'https://hub.council.example/graphql', typeDefs: parse(sdl) },
      {
        name: 'housing-association',
        url: 'https://api.housing-association.example/graphql',
        typeDefs: parse(housingAssociationSubgraph),
      },
    ]);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    expect(result.supergraphSdl).toMatch(
      /tenancySustainment: TenancySustainment @join__field\(graph: HOUSING_ASSOCIATION\)/,
    );
  });

  it('composes with a housing association subgraph extending Person, without errors', () => {
    const result = composeServices([
      { name: 'hub', url: 'https://hub.council.example/graphql', typeDefs: parse(sdl) },
      {
        name: 'housing-association',
        url: 'https://api.housing-association.example/graphql',
        typeDefs: parse(housingAssociationSubgraph),
      },
    ]);
    expect(result.errors?.map((e) => e.message) ?? []).toEqual([]);
    const supergraph = result.supergraphSdl!;

    // Person is one entity, resolvable by id in both subgraphs, with the partner's field on it.
    const personHeader = /\ntype Person([^{]*)\{/.exec(supergraph)?.[1] ?? '';
    expect(personHeader).toContain('@join__type(graph: HUB, key: "id")');
    expect(personHeader).toContain('@join__type(graph: HOUSING_ASSOCIATION, key: "id")');
    const person = buildSchema(supergraph, { assumeValidSDL: true }).getType('Person');
    expect(isObjectType(person)).toBe(true);
    if (!isObjectType(person)) return;
    expect(Object.keys(person.getFields())).toEqual(expect.arrayContaining(['id', 'tenancySustainment']));
    expect(supergraph).toMatch(/tenancySustainment: TenancySustainment @join__field\(graph: HOUSING_ASSOCIATION\)/);
    // The hub's own Person fields stay the hub's: the partner cannot redefine what the hub releases.
    const hubOnly = Object.keys(person.getFields()).filter((f) => f !== 'id' && f !== 'tenancySustainment');
    expect(hubOnly.length).toBeGreaterThan(0);
  });

  it('refuses a partner subgraph that tries to take over a hub field', () => {
    const definition = parse(sdl).definitions.find(
      (d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Person',
    ) as ObjectTypeDefinitionNode | undefined;
    const field = definition?.fields?.map((f) => f.name.value).find((name) => name !== 'id');
    expect(field).toBeDefined();
    const takeover = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Person @key(fields: "id") { id: ID! ${field}: String }
      type Query { anything: Person }
    `;
    const result = composeServices([
      { name: 'hub', url: 'https://hub.council.example/graphql', typeDefs: parse(sdl) },
      { name: 'rogue', url: 'https://rogue.example/graphql', typeDefs: parse(takeover) },
    ]);
    // Non-key fields are not shareable: two subgraphs resolving the same Person field do not compose.
    expect(result.errors?.length ?? 0).toBeGreaterThan(0);
  });
});
