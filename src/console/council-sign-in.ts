import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import type { ConsoleSettings } from './console-settings';

type OidcSettings = NonNullable<ConsoleSettings['oidc']>;

/** What the console keeps in the session between sending the user to the provider and their return. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  startedAt: number;
}

/** A finished sign-in: the access token the console calls the API with, and a name to greet the user by. */
export interface SignedIn {
  accessToken: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  name?: string;
}

/** A pending sign-in older than this is refused at the callback (the user starts again). */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;

/**
 * Sign-in with the council's identity provider (OpenID Connect authorization code with PKCE, `openid-client`).
 * The provider's certificate is trusted through the issuer registry entry's `caFile`, as for its keys. The
 * access token it issues for the hub is then verified by the hub's own token verifier, so a console user
 * is exactly what the same token would be on the API (docs/console.md).
 */
export class CouncilSignIn {
  private configuration?: Promise<client.Configuration>;
  private readonly fetch?: client.CustomFetch;

  constructor(
    private readonly settings: OidcSettings,
    caFile?: string,
  ) {
    if (caFile) {
      const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
      this.fetch = ((url: string, options: client.CustomFetchOptions) =>
        undiciFetch(url, { ...(options as object), dispatcher } as Parameters<
          typeof undiciFetch
        >[1])) as unknown as client.CustomFetch;
    }
  }

  /** The provider's metadata, fetched once (again after a failure). */
  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret ? undefined : { token_endpoint_auth_method: 'none' },
        this.settings.clientSecret ? client.ClientSecretBasic(this.settings.clientSecret) : client.None(),
        this.fetch ? { [client.customFetch]: this.fetch } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  /** Where to send the browser, and what to keep until it comes back. */
  async start(): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      startedAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ...(this.settings.resource ? { resource: this.settings.resource } : {}),
    });
    return { url: url.href, pending };
  }

  /** The provider's answer at the callback (`query` as the browser brought it), checked against what was pending. */
  async finish(query: string, pending: PendingSignIn): Promise<SignedIn> {
    if (Date.now() - pending.startedAt > SIGN_IN_WINDOW_MS) throw new Error('the sign-in took too long: start again');
    const config = await this.config();
    const callback = new URL(this.settings.redirectUri);
    callback.search = query;
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      this.settings.resource ? { resource: this.settings.resource } : undefined,
    );
    const claims = tokens.claims();
    const name =
      (typeof claims?.name === 'string' && claims.name) ||
      [claims?.given_name, claims?.family_name].filter((part) => typeof part === 'string').join(' ') ||
      (typeof claims?.preferred_username === 'string' ? claims.preferred_username : undefined);
    return {
      accessToken: tokens.access_token,
      expiresAt: Math.floor(Date.now() / 1000) + (tokens.expiresIn() ?? 300),
      name: name || undefined,
    };
  }
}
