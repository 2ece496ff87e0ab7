import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startOidcTestProvider, type OidcTestProvider } from '../support/oidc-test-provider';
import { startTestHub, TestHub } from '../support/test-hub';

jest.setTimeout(120_000);

const AUDIENCE = 'https://hub.council.example/api';
const COUNCIL_TENANT = 'tenant-council';

/** A port free now, for a redirect URI that must be registered before the hub listens on it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Console sign-in with the council's identity provider (a real OpenID Provider, `oidc-provider`, over HTTPS):
 * authorization code with PKCE, state and nonce, the access token then verified by the hub's own verifier
 * and its claim mapping, so a console user is what the same token is on the API (docs/console.md).
 */
describe('console: sign-in with the council identity provider', () => {
  let provider: OidcTestProvider;
  let hub: TestHub;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const callback = `${base}/console/sign-in/callback`;
    provider = await startOidcTestProvider({
      audience: AUDIENCE,
      clients: [{ clientId: 'hub-console', clientSecret: 'console-secret', redirectUris: [callback] }],
      accounts: {
        'am-amira': {
          oid: 'oid-amira',
          tid: COUNCIL_TENANT,
          roles: ['Hub.AccountManager'],
          team: 'early-help-north',
          name: 'Amira Shah',
        },
        'guest-from-elsewhere': { oid: 'oid-guest', tid: 'another-tenant', roles: ['Hub.Dpo'] },
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'hub-console-oidc-'));
    writeFileSync(
      join(dir, 'issuers.json'),
      JSON.stringify({
        issuers: [
          {
            issuer: provider.issuer,
            jwksUri: provider.jwksUri,
            caFile: provider.caFile,
            audience: AUDIENCE,
            organisations: ['council'],
            roles: ['account-manager', 'caseworker', 'dpo', 'data-steward', 'admin'],
            claims: {
              subject: 'oid',
              organisation: { path: 'tid', values: { [COUNCIL_TENANT]: 'council' } },
              roles: { path: 'roles', values: { 'Hub.AccountManager': 'account-manager', 'Hub.Dpo': 'dpo' } },
            },
            maxTokenLifetimeSeconds: 3600,
          },
        ],
      }),
    );
    hub = await startTestHub({
      HUB_DATA_DIR: dir,
      AUTH_ISSUERS_FILE: join(dir, 'issuers.json'),
      SANDBOX_SOURCES: 'off',
      SYNC_ON_START: 'false',
      SYNC_SCHEDULE: 'off',
      CONSOLE_OIDC_ISSUER: provider.issuer,
      CONSOLE_OIDC_CLIENT_ID: 'hub-console',
      CONSOLE_OIDC_CLIENT_SECRET: 'console-secret',
      CONSOLE_OIDC_REDIRECT_URI: callback,
      CONSOLE_OIDC_SCOPE: 'openid profile api',
      CONSOLE_OIDC_RESOURCE: provider.resource,
    });
    await new Promise<void>((resolve) => (hub.server as Server).listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await hub?.stop();
    await provider?.stop();
  });

  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  /** Starts a sign-in: the console's redirect to the provider. */
  const start = async (agent: ReturnType<typeof request.agent>) => {
    const page = await agent.get('/console').expect(200);
    const sent = await agent
      .post('/console/sign-in')
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303);
    return new URL(sent.headers.location);
  };

  it('offers the council sign-in and no personas once an identity provider is configured', async () => {
    const page = await request(base).get('/console').expect(200);
    expect(page.text).toContain('Sign in with your council account');
    expect(page.text).not.toContain('/console/sign-in/persona');
    // No council name configured (CONSOLE_COUNCIL_NAME): no header above the service's own navigation.
    expect(page.text).not.toContain('govuk-generic-header');
    expect(page.text).toMatch(/govuk-service-navigation__service-name[\s\S]*?Single view hub/);
  });

  it('signs in with authorization code and PKCE, and the user then acts on the API as their token does', async () => {
    const agent = request.agent(base);
    const authorize = await start(agent);
    expect(authorize.origin).toBe(new URL(provider.issuer).origin);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    for (const param of ['code_challenge', 'state', 'nonce', 'resource'])
      expect(authorize.searchParams.get(param)).toBeTruthy();
    expect(authorize.searchParams.get('client_id')).toBe('hub-console');

    const back = new URL(await provider.followAuthorization(authorize.href, 'am-amira'));
    expect(`${back.origin}${back.pathname}`).toBe(`${base}/console/sign-in/callback`);
    await agent.get(`${back.pathname}${back.search}`).expect(303).expect('location', '/console/purpose');

    const purpose = await agent.get('/console/purpose').expect(200);
    expect(purpose.text).toContain('Amira Shah');
    expect(purpose.text).toContain('council, early-help-north');
    expect(purpose.text).toContain('value="EARLY_HELP"');
    const [session] = await hub.db.dataSource.query(
      `select sess::jsonb -> 'user' ->> 'subject' as subject, sess::jsonb -> 'user' ->> 'via' as via from console_session where sess::jsonb -> 'user' ->> 'subject' = 'oid-amira'`,
    );
    expect(session).toEqual({ subject: 'oid-amira', via: 'oidc' });

    // The code is spent and the pending sign-in gone: the same callback again is refused.
    await agent.get(`${back.pathname}${back.search}`).expect(400);
  });

  it('refuses an account the hub would refuse on the API, and signs no one in', async () => {
    const agent = request.agent(base);
    const back = new URL(await provider.followAuthorization((await start(agent)).href, 'guest-from-elsewhere'));
    const refused = await agent.get(`${back.pathname}${back.search}`).expect(403);
    expect(refused.text).toContain('You cannot sign in to the hub');
    await agent.get('/console/search').expect(303).expect('location', '/console');
  });

  it('refuses a callback whose state is not the one it sent', async () => {
    const agent = request.agent(base);
    const back = new URL(await provider.followAuthorization((await start(agent)).href, 'am-amira'));
    back.searchParams.set('state', 'forged-state');
    await agent.get(`${back.pathname}${back.search}`).expect(403);
    await agent.get('/console/search').expect(303).expect('location', '/console');
  });
});
