// Minimal typings for the parts of `oidc-provider` (v9, ships no types) that the test harness in
// oidc-test-provider.ts uses. Deliberately loose: configuration objects are typed only where the harness
// relies on their shape.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type UnknownObject = Record<string, unknown>;

  export interface ClientMetadata extends UnknownObject {
    client_id: string;
    client_secret?: string;
    grant_types?: string[];
    response_types?: string[];
    redirect_uris?: string[];
    token_endpoint_auth_method?: string;
    scope?: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  /** The token model handed to `extraTokenClaims` (AccessToken, ClientCredentials, ...). */
  export interface TokenModel {
    readonly kind: string;
    clientId?: string;
    accountId?: string;
    scope?: string;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: string[]): Promise<UnknownObject> | UnknownObject;
  }

  export interface KoaContextWithOIDC {
    oidc: UnknownObject;
    type: string;
    body: unknown;
    status: number;
  }

  export interface Configuration extends UnknownObject {
    clients?: ClientMetadata[];
    jwks?: { keys: UnknownObject[] };
    cookies?: { keys?: (string | Buffer)[] } & UnknownObject;
    features?: UnknownObject;
    findAccount?: (ctx: KoaContextWithOIDC, sub: string, token?: unknown) => Promise<Account | undefined>;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: TokenModel) => Promise<UnknownObject | undefined>;
    interactions?: { url?: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => Promise<string> | string };
    renderError?: (ctx: KoaContextWithOIDC, out: UnknownObject, error: Error) => Promise<void> | void;
  }

  export interface PromptDetail {
    name: string;
    reasons: string[];
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    } & UnknownObject;
  }

  export interface Interaction {
    uid: string;
    prompt: PromptDetail;
    params: UnknownObject;
    session?: { accountId?: string; uid?: string } & UnknownObject;
    grantId?: string;
    returnTo: string;
  }

  export interface InteractionResults extends UnknownObject {
    login?: { accountId: string; remember?: boolean } & UnknownObject;
    consent?: { grantId?: string } & UnknownObject;
    error?: string;
    error_description?: string;
  }

  export interface Grant {
    readonly jti?: string;
    accountId?: string;
    clientId?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId?: string; clientId?: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: GrantConstructor;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export class OIDCProviderError extends Error {
    constructor(status?: number, message?: string);
    error: string;
    error_description?: string;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
    AccessDenied: new (description?: string) => OIDCProviderError;
  };

  export default Provider;
}
