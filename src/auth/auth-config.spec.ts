import { ConfigError, loadConfig } from '../config/config';

describe('authentication settings', () => {
  it('defaults to local dev tokens outside production', () => {
    expect(loadConfig({}).auth).toEqual({
      issuer: 'urn:single-view-hub:local',
      audience: 'urn:single-view-hub:api',
      clockSkewSeconds: 30,
      verifiedTokenCacheSeconds: 60,
      algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      localSigning: true,
      jwksUrl: undefined,
      jwksFile: undefined,
    });
  });

  it('never signs locally in production or with an identity provider', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).auth.localSigning).toBe(false);
    const idp = loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'hub' }).auth;
    expect(idp).toMatchObject({ localSigning: false, issuer: 'https://idp.example', audience: 'hub' });
  });

  it('needs issuer and audience with an identity provider', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks' })).toThrow(new ConfigError('Invalid configuration: AUTH_ISSUER is required when AUTH_JWKS_URL is set'));
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'x' })).toThrow(/AUTH_AUDIENCE is required/);
  });

  it('refuses a plain-http JWKS URL in production, with one line naming AUTH_JWKS_URL', () => {
    const idp = { NODE_ENV: 'production', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'hub' };
    for (const url of ['http://idp.example/jwks', 'HTTP://idp.example/jwks', 'http://127.0.0.1:8080/jwks.json']) {
      expect(() => loadConfig({ ...idp, AUTH_JWKS_URL: url })).toThrow(new ConfigError('Invalid configuration: AUTH_JWKS_URL must be an https:// URL when NODE_ENV=production'));
    }
    // Checked before issuer and audience, so the more serious problem is the one reported.
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'http://idp.example/jwks' })).toThrow(/AUTH_JWKS_URL must be an https:\/\/ URL/);
    expect(loadConfig({ ...idp, AUTH_JWKS_URL: 'https://idp.example/jwks' }).auth.jwksUrl).toBe('https://idp.example/jwks');
  });

  it.each(['development', 'test'])('allows a plain-http JWKS URL when NODE_ENV=%s (local identity-provider doubles)', (nodeEnv) => {
    const auth = loadConfig({ NODE_ENV: nodeEnv, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' }).auth;
    expect(auth).toMatchObject({ jwksUrl: 'http://127.0.0.1:8080/jwks.json', localSigning: false });
  });

  it.each(['none', 'HS256', 'ES256,HS512', ','])('refuses AUTH_ALGORITHMS=%p', (value) => {
    expect(() => loadConfig({ AUTH_ALGORITHMS: value })).toThrow(/AUTH_ALGORITHMS must list only/);
  });

  it('refuses a JWKS URL that is not http(s) and an absurd clock skew', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'file:///etc/jwks', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' })).toThrow(/AUTH_JWKS_URL/);
    expect(() => loadConfig({ AUTH_CLOCK_SKEW_SECONDS: '3600' })).toThrow(/AUTH_CLOCK_SKEW_SECONDS/);
  });
});
