// A real OpenID Provider for tests: node-oidc-provider (v9) on https://127.0.0.1:<random port>, with a
// certificate generated at start-up. It issues JWT access tokens for one resource server (the hub) through
// the client credentials grant and through authorization code + PKCE (driven programmatically: the harness
// answers the login and consent interactions itself, there is no browser and no HTML), and can rotate its
// signing key while keeping the same HTTPS server, port and issuer.
//
// Only loopback traffic: the server listens on 127.0.0.1 and the redirect URI is never dereferenced.
import { createHash, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FetchImplementation } from 'jose';
import type * as OidcProviderModule from 'oidc-provider';
import type { Configuration, Interaction, Provider, TokenModel } from 'oidc-provider';
import { generate } from 'selfsigned';
import { OidcMemoryStore } from './oidc-memory-adapter';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';

export type OidcSigningAlg = 'RS256' | 'ES256';

export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  /** Claims added to this client's client-credentials access tokens (e.g. `roles`, `azp`, `tid`). */
  extraClaims?: Record<string, unknown>;
  /** Redirect URIs besides the harness's own (e.g. the console's `/console/sign-in/callback`). */
  redirectUris?: string[];
}

export interface OidcTestProviderOptions {
  /** The `aud` of every JWT access token. */
  audience: string;
  /**
   * The resource indicator (RFC 8707) under which the audience is known. Defaults to `audience` when that is
   * an absolute URI, otherwise to `urn:oidc-test-provider:resource:<audience>`. Requests need not send it: it
   * is also the default resource, so a plain client credentials request gets a JWT for `audience`.
   */
  resource?: string;
  clients: OidcTestClient[];
  /** Account id (the `sub`) -> claims put into that person's access tokens (and offered to the ID token). */
  accounts: Record<string, Record<string, unknown>>;
  /** Scopes the resource server knows; a token carries those requested. Default `['api']`. */
  scopes?: string[];
  /** Lifetime of access tokens (default 600). */
  accessTokenTtlSeconds?: number;
  /** Signing algorithm of access and ID tokens (default RS256, as Keycloak and Entra ID use). */
  signingAlg?: OidcSigningAlg;
}

export interface ClientCredentialsOptions {
  /** Resource indicator to send; by default none is sent and the provider's default resource applies. */
  resource?: string;
  /** Space-separated scopes to request. */
  scope?: string;
  /** Overrides the configured secret (e.g. to provoke `invalid_client`). */
  clientSecret?: string;
}

export interface AuthorizationCodeOptions {
  /** Client to log in through; default the first configured client. */
  clientId?: string;
  /** Space-separated scopes; default `openid` plus all resource server scopes. */
  scope?: string;
  /** Resource indicator to request; default the provider's resource. */
  resource?: string;
}

export interface AuthorizationCodeTokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  scope?: string;
  expiresIn: number;
}

/** A fetch that trusts the provider's certificate (undici `fetch` with an `Agent` whose `connect.ca` is it). */
export type TrustingFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface OidcTestProvider {
  /** `https://127.0.0.1:<port>`, with no trailing slash. Stable across key rotations. */
  readonly issuer: string;
  readonly discoveryUri: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  readonly resource: string;
  /** Registered redirect URI of every client; never dereferenced (the harness reads the `Location`). */
  readonly redirectUri: string;
  /** PEM of the self-signed server certificate (subjectAltName IP:127.0.0.1 and DNS:localhost). */
  readonly caPem: string;
  /** The same PEM in a file (mode 0644) under a temporary directory removed by `stop()`. */
  readonly caFile: string;
  /** undici fetch trusting `caPem`; handy for discovery, JWKS or token requests in tests. */
  readonly fetch: TrustingFetch;
  /** The same for jose: `createRemoteJWKSet(new URL(jwksUri), { [customFetch]: joseFetch })`. */
  readonly joseFetch: FetchImplementation;
  /** Kid of the key that signs new tokens. */
  readonly signingKid: string;
  /** Kids currently published at `jwksUri`, signing key first. */
  publishedKids(): string[];
  /** The public JWKS currently published (what `jwksUri` serves). */
  publicJwks(): { keys: Record<string, unknown>[] };
  /** Errors the provider reported as server errors (HTTP 500), for diagnosing a failing test. */
  readonly serverErrors: readonly Error[];

  /** A JWT access token from the client credentials grant. */
  clientCredentialsToken(clientId: string, opts?: ClientCredentialsOptions): Promise<string>;
  /** Authorization code + PKCE for `account` (must be a key of `accounts`), logged in and consented. */
  authorizationCodeTokens(account: string, opts?: AuthorizationCodeOptions): Promise<AuthorizationCodeTokens>;
  /**
   * Plays `account` at an authorization URL a relying party built (the console's sign-in): logs in and
   * consents, and returns the URL the provider sends the browser back to (the relying party's callback).
   */
  followAuthorization(authorizationUrl: string, account: string): Promise<string>;

  /** Replaces the signing key: a new kid signs from now on and the old keys leave the JWKS at once. */
  rotateKeys(): Promise<string>;
  /** Publishes a next key beside the signing key (both in the JWKS) while still signing with the old one. */
  publishNextKey(): Promise<string>;
  /** Signs with the key published by `publishNextKey()`; the previous key stays published until retired. */
  switchToNextKey(): Promise<string>;
  /** Removes every key but the signing key from the JWKS. */
  retirePreviousKeys(): Promise<void>;

  stop(): Promise<void>;
}

/**
 * A fetch for jose's `createRemoteJWKSet(url, { [customFetch]: ... })` that goes through `dispatcher` (e.g. an
 * undici `Agent({ connect: { ca: caPem } })`). undici's and Node's fetch types differ, hence the casts.
 */
export function joseFetchThrough(dispatcher: Agent): FetchImplementation {
  return (url, init) =>
    undiciFetch(url, {
      method: init.method,
      redirect: init.redirect,
      signal: init.signal,
      headers: Object.fromEntries(init.headers.entries()),
      dispatcher,
    }) as unknown as ReturnType<FetchImplementation>;
}

interface SigningKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
}

const generateKeyPairAsync = promisify(generateKeyPair);
const UNSUPPORTED_RUNTIME_WARNING = /oidc-provider WARNING: Unsupported runtime/;
let providerModule: Promise<typeof OidcProviderModule> | undefined;

/**
 * oidc-provider is ESM only; Node 20.19+ can require it and Jest's swc transform turns this import() into a
 * require(). It warns once on Node < 22 that the runtime is unsupported; the harness works on Node 20 and
 * silences exactly that warning.
 */
function loadOidcProvider(): Promise<typeof OidcProviderModule> {
  providerModule ??= (async () => {
    // oxlint-disable-next-line no-console
    const warn = console.warn;
    // oxlint-disable-next-line no-console
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && UNSUPPORTED_RUNTIME_WARNING.test(args[0])) return;
      warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      // oxlint-disable-next-line no-console
      console.warn = warn;
    }
  })();
  return providerModule;
}

async function newSigningKey(alg: OidcSigningAlg, serial: number): Promise<SigningKey> {
  const { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject } =
    alg === 'RS256'
      ? await generateKeyPairAsync('rsa', { modulusLength: 2048 })
      : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  const kid = `test-key-${serial}-${randomBytes(6).toString('hex')}`;
  const common = { kid, alg, use: 'sig' };
  return {
    kid,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), ...common },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), ...common },
  };
}

async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function defaultResourceFor(audience: string): string {
  return URL.canParse(audience) && !audience.includes('#')
    ? audience
    : `urn:oidc-test-provider:resource:${encodeURIComponent(audience)}`;
}

/** Just enough of a cookie jar for the authorization flow: name + path, no domain or expiry bookkeeping. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, attributeValue = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path' && attributeValue) path = attributeValue;
        if (lower === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter(({ path }) => path === '/' || url.pathname === path || url.pathname.startsWith(`${path}/`))
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
  }
}

function basicAuth(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part before base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

async function readTokenResponse(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${what}: token endpoint answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

export async function startOidcTestProvider(options: OidcTestProviderOptions): Promise<OidcTestProvider> {
  if (options.clients.length === 0) throw new Error('startOidcTestProvider: at least one client is required');
  const { Provider, errors } = await loadOidcProvider();
  const alg: OidcSigningAlg = options.signingAlg ?? 'RS256';
  const ttl = options.accessTokenTtlSeconds ?? 600;
  const scopes = options.scopes ?? ['api'];
  const audience = options.audience;
  const resource = options.resource ?? defaultResourceFor(audience);
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  const accounts = options.accounts;
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const serverErrors: Error[] = [];
  // One store for every Provider instance, so that sessions, grants and codes survive a key rotation.
  const store = new OidcMemoryStore();

  const { key, cert } = await selfSignedCertificate();
  const tempDir = await mkdtemp(join(tmpdir(), 'oidc-test-provider-'));
  const caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, cert);
  await chmod(caFile, 0o644);

  const agent = new Agent({ connect: { ca: cert } });
  const trustingFetch: TrustingFetch = (input, init) => undiciFetch(input, { ...init, dispatcher: agent });

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer({ key, cert }, (req, res) => {
    if (handler) handler(req, res);
    else {
      res.statusCode = 503;
      res.end();
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await agent.close();
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const issuer = `https://127.0.0.1:${port}`;
  const redirectUri = `${issuer}/oidc-test-callback`;

  let keySerial = 0;
  let signing = await newSigningKey(alg, ++keySerial);
  let published: SigningKey[] = [signing];
  let next: SigningKey | undefined;

  function configuration(): Configuration {
    // Signing key first: oidc-provider signs ID tokens with the first matching key; access tokens name it.
    const keys = [signing, ...published.filter((k) => k !== signing)];
    const signingKid = signing.kid;
    return {
      clients: options.clients.map((client) => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_types: ['client_credentials', 'authorization_code'],
        response_types: ['code'],
        redirect_uris: [redirectUri, ...(client.redirectUris ?? [])],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
      adapter: store.adapterFactory(),
      jwks: { keys: keys.map((k) => k.privateJwk) },
      cookies: { keys: cookieKeys },
      clientDefaults: { id_token_signed_response_alg: alg },
      pkce: { required: () => true },
      // The profile scope's claims in the ID token (a relying party greets the user by name).
      claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'preferred_username'] },
      ttl: { AccessToken: ttl, ClientCredentials: ttl, IdToken: ttl, Interaction: 600, Session: 3600, Grant: 3600 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => resource,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
            if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource indicator ${indicator}`);
            return {
              scope: scopes.join(' '),
              audience,
              accessTokenTTL: ttl,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg, kid: signingKid } },
            };
          },
        },
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: async (_ctx, sub) => {
        const claims = accounts[sub];
        if (!claims) return undefined;
        return { accountId: sub, claims: () => ({ ...claims, sub }) };
      },
      extraTokenClaims: async (_ctx, token: TokenModel) => {
        if (token.kind === 'ClientCredentials' && token.clientId) return clients.get(token.clientId)?.extraClaims;
        if (token.accountId) return accounts[token.accountId];
        return undefined;
      },
      renderError: (ctx, out) => {
        ctx.type = 'json';
        ctx.body = out;
      },
    };
  }

  function install(): void {
    const provider = new Provider(issuer, configuration());
    provider.on('server_error', (_ctx, error) => {
      serverErrors.push(error instanceof Error ? error : new Error(String(error)));
    });
    const callback = provider.callback();
    handler = (req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
        completeInteraction(provider, req, res).catch((error: unknown) => {
          serverErrors.push(error instanceof Error ? error : new Error(String(error)));
          if (!res.headersSent) res.statusCode = 500;
          res.end(String(error));
        });
        return;
      }
      void callback(req, res);
    };
  }

  /** Plays the user at the interaction URL: logs in the `login_hint` account, then consents to everything. */
  async function completeInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const interaction: Interaction = await provider.interactionDetails(req, res);
    const { prompt, params } = interaction;
    if (prompt.name === 'login') {
      const accountId = params.login_hint;
      if (typeof accountId !== 'string' || !Object.hasOwn(accounts, accountId)) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: `unknown test account ${String(accountId)}` },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === 'consent') {
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId: interaction.session?.accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error(`grant ${interaction.grantId} not found`);
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, granted] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, granted.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    throw new Error(`unsupported interaction prompt ${prompt.name}`);
  }

  install();

  function clientFor(clientId: string): OidcTestClient {
    const client = clients.get(clientId);
    if (!client) throw new Error(`unknown test client ${clientId}`);
    return client;
  }

  async function clientCredentialsToken(clientId: string, opts: ClientCredentialsOptions = {}): Promise<string> {
    const secret = opts.clientSecret ?? clientFor(clientId).clientSecret;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (opts.scope !== undefined) body.set('scope', opts.scope);
    if (opts.resource !== undefined) body.set('resource', opts.resource);
    const response = await trustingFetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const json = await readTokenResponse(response, `client_credentials for ${clientId}`);
    return String(json.access_token);
  }

  async function followAuthorization(authorizationUrl: string, account: string): Promise<string> {
    let url = new URL(authorizationUrl);
    if (url.origin !== new URL(issuer).origin) throw new Error(`not this provider's URL: ${authorizationUrl}`);
    url.searchParams.set('login_hint', account);
    const jar = new CookieJar();
    for (let hop = 0; hop < 12; hop++) {
      const cookie = jar.header(url);
      const response = await trustingFetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      jar.store(response);
      const text = await response.text();
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location)
        throw new Error(`authorization flow for ${account}: ${response.status} from ${url.pathname}: ${text}`);
      const target = new URL(location, url);
      if (target.origin !== url.origin) return target.href;
      url = target;
    }
    throw new Error(`authorization flow for ${account}: too many redirects`);
  }

  async function authorizationCodeTokens(
    account: string,
    opts: AuthorizationCodeOptions = {},
  ): Promise<AuthorizationCodeTokens> {
    const client = clientFor(opts.clientId ?? options.clients[0].clientId);
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const requestedResource = opts.resource ?? resource;
    let url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: opts.scope ?? ['openid', ...scopes].join(' '),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      nonce,
      login_hint: account,
      resource: requestedResource,
    }).toString();

    const jar = new CookieJar();
    let code: string | undefined;
    for (let hop = 0; hop < 12 && code === undefined; hop++) {
      const cookie = jar.header(url);
      const response = await trustingFetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      jar.store(response);
      const text = await response.text();
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        throw new Error(`authorization flow for ${account}: ${response.status} from ${url.pathname}: ${text}`);
      }
      const target = new URL(location, url);
      if (`${target.origin}${target.pathname}` === redirectUri) {
        const error = target.searchParams.get('error');
        if (error) {
          throw new Error(
            `authorization flow for ${account}: ${error}: ${target.searchParams.get('error_description') ?? ''}`,
          );
        }
        if (target.searchParams.get('state') !== state) throw new Error('authorization flow: state mismatch');
        code = target.searchParams.get('code') ?? undefined;
        if (!code) throw new Error('authorization flow: no code in redirect');
      } else {
        url = target;
      }
    }
    if (code === undefined) throw new Error(`authorization flow for ${account}: too many redirects`);

    const response = await trustingFetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(client.clientId, client.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        resource: requestedResource,
      }).toString(),
    });
    const json = await readTokenResponse(response, `authorization_code for ${account}`);
    return {
      accessToken: String(json.access_token),
      idToken: String(json.id_token),
      refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
      scope: typeof json.scope === 'string' ? json.scope : undefined,
      expiresIn: Number(json.expires_in),
    };
  }

  let stopped = false;
  const harness: OidcTestProvider = {
    issuer,
    discoveryUri: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    tokenEndpoint: `${issuer}/token`,
    audience,
    resource,
    redirectUri,
    caPem: cert,
    caFile,
    fetch: trustingFetch,
    joseFetch: joseFetchThrough(agent),
    get signingKid() {
      return signing.kid;
    },
    publishedKids: () => [signing, ...published.filter((k) => k !== signing)].map((k) => k.kid),
    publicJwks: () => ({ keys: [signing, ...published.filter((k) => k !== signing)].map((k) => ({ ...k.publicJwk })) }),
    serverErrors,
    clientCredentialsToken,
    authorizationCodeTokens,
    followAuthorization,
    async rotateKeys() {
      signing = await newSigningKey(alg, ++keySerial);
      published = [signing];
      next = undefined;
      install();
      return signing.kid;
    },
    async publishNextKey() {
      if (!next) {
        next = await newSigningKey(alg, ++keySerial);
        published = [...published, next];
        install();
      }
      return next.kid;
    },
    async switchToNextKey() {
      if (!next) throw new Error('switchToNextKey: call publishNextKey() first');
      signing = next;
      next = undefined;
      install();
      return signing.kid;
    },
    async retirePreviousKeys() {
      published = [signing];
      next = undefined;
      install();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      handler = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await agent.close();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
  return harness;
}
