import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Role } from '../../src/engine/principal';
import { PartnerIssuer, partnerIssuer } from '../support/partner-tokens';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

/**
 * The partner federated API (docs/federation.md) as a partner's gateway meets it: `_entities` refuses with
 * the same codes as `person(id)`, with and without production's error masking, and in production the
 * subgraph SDL (`_service`) answers verified callers only.
 */

type GraphqlError = { message: string; extensions: { code: string } };

const partner = {
  subject: 'ha-gateway',
  organisation: 'housing-association',
  roles: [Role.PartnerAgency],
  client: 'ha-gateway',
};
/** A council officer whose role holds no agreement that releases personal data. */
const dpo = { subject: 'dpo-dee', organisation: 'council', roles: [Role.Dpo] };

const byId = 'query ($id: ID!) { person(id: $id) { id givenName } }';
const byEntities =
  'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Person { id givenName } } }';

/** The refusal of each way in, as the client sees it: HTTP status, code and message of the first error. */
interface Refusal {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

describe.each([
  ['test', {}],
  ['production', { NODE_ENV: 'production' }],
])('the partner API (NODE_ENV=%s)', (nodeEnv, env) => {
  let hub: TestHub;
  let issuer: PartnerIssuer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-partner-api-'));
    issuer = await partnerIssuer(dir, ['council', 'housing-association'], [Role.PartnerAgency, Role.Dpo]);
    hub = await startTestHub({ HUB_DATA_DIR: dir, RATE_LIMIT_PER_MINUTE: '0', ...issuer.env, ...env });
  });
  afterAll(() => hub?.stop());

  const post = (body: object, headers: Record<string, string>) =>
    request(hub.server).post('/graphql').set(headers).send(body);
  const refusal = async (body: object, headers: Record<string, string>): Promise<Refusal> => {
    const res = await post(body, headers);
    const error: GraphqlError | undefined = res.body.errors?.[0];
    return { status: res.status, code: error?.extensions.code, message: error?.message };
  };

  const cases: [string, () => Promise<Record<string, string>>, string][] = [
    ['no token', async () => ({ 'x-purpose': 'SAFEGUARDING' }), 'UNAUTHENTICATED'],
    [
      'a token but no purpose',
      async () => ({ authorization: `Bearer ${await issuer.token(partner)}` }),
      'PURPOSE_REQUIRED',
    ],
    [
      'a role that may not see people',
      async () => ({ authorization: `Bearer ${await issuer.token(dpo)}`, 'x-purpose': 'SAFEGUARDING' }),
      'FORBIDDEN',
    ],
  ];

  it.each(cases)('_entities refuses %s with the code person(id) gives', async (_case, headers, code) => {
    const id = randomUUID();
    const sent = await headers();
    const direct = await refusal({ query: byId, variables: { id } }, sent);
    const entities = await refusal(
      { query: byEntities, variables: { representations: [{ __typename: 'Person', id }] } },
      sent,
    );
    expect(direct.code).toBe(code);
    expect(entities).toEqual(direct);
    expect(entities.message).not.toBe('Internal server error');
  });

  it('answers the subgraph SDL to a verified caller', async () => {
    const res = await post(
      { query: '{ _service { sdl } }' },
      { authorization: `Bearer ${await issuer.token(partner)}` },
    ).expect(200);
    expect(res.body.data._service.sdl).toMatch(/type Person\s+@key\(fields: "id"\)/);
  });

  const sdlQueries = [
    '{ _service { sdl } }',
    '{ schema: _service { sdl } }',
    'query Compose { ...Sdl } fragment Sdl on Query { _service { sdl } }',
    '{ ... on Query { _service { sdl } } }',
  ];
  if (nodeEnv === 'production') {
    // Introspection is off in production; the SDL would give the whole schema away all the same.
    it.each(sdlQueries)(
      'refuses %s without a verified token, with 401 UNAUTHENTICATED and nothing of the schema',
      async (query) => {
        const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-a-token' }];
        for (const headers of attempts) {
          const res = await post({ query }, headers).expect(401);
          expect(res.headers['www-authenticate']).toBe('Bearer');
          expect(res.body.data).toBeUndefined();
          expect(res.body.errors.map((e: GraphqlError) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
          expect(JSON.stringify(res.body)).not.toContain('Person');
        }
      },
    );
  } else {
    // Outside production a developer composes against a local hub without signing in.
    it('answers the subgraph SDL without a token', async () => {
      const res = await post({ query: sdlQueries[2] }, {}).expect(200);
      expect(res.body.data._service.sdl).toContain('@key');
    });
  }
});
