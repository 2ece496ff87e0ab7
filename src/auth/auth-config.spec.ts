import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config';
import { loadConfig } from '../hub-config';

const issuersFile = (content: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'hub-issuers-')), 'issuers.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const partner = {
  issuer: 'https://idp.nhs.example',
  jwksUri: 'https://idp.nhs.example/jwks',
  audience: 'hub',
  organisations: ['nhs-trust'],
  roles: ['partner-agency'],
};

describe('authentication settings', () => {
  it('defaults to local dev tokens outside production, and to no issuer at all in production', () => {
    const auth = loadConfig({}).auth;
    expect(auth).toMatchObject({
      localSigning: true,
      clockSkewSeconds: 30,
      verifiedTokenCacheSeconds: 60,
      keySetMaxAgeSeconds: 300,
      keySetRefetchSeconds: 5,
      councilOrganisation: 'council',
    });
    expect(auth.issuers.map((entry) => entry.issuer)).toEqual(['urn:single-view-hub:local']);
    expect(loadConfig({ NODE_ENV: 'production' }).auth).toMatchObject({ localSigning: false, issuers: [] });
  });

  it('reads AUTH_JWKS_URL as the council’s own provider: council staff only, no dev tokens', () => {
    const auth = loadConfig({
      AUTH_JWKS_URL: 'https://idp.example/jwks',
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'hub',
    }).auth;
    expect(auth.localSigning).toBe(false);
    expect(auth.issuers).toEqual([
      expect.objectContaining({
        issuer: 'https://idp.example',
        audience: ['hub'],
        organisations: ['council'],
        keys: { kind: 'remote', uri: 'https://idp.example/jwks' },
      }),
    ]);
    expect(auth.issuers[0].roles).not.toContain('partner-agency');
  });

  it('needs issuer and audience with AUTH_JWKS_URL', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks' })).toThrow(
      new ConfigError('Invalid configuration: AUTH_ISSUER is required when AUTH_JWKS_URL is set'),
    );
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'x' })).toThrow(
      /AUTH_AUDIENCE is required/,
    );
  });

  it('refuses a plain-http key set in production, with one line naming the setting', () => {
    const idp = { NODE_ENV: 'production', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'hub' };
    for (const url of ['http://idp.example/jwks', 'HTTP://idp.example/jwks', 'http://127.0.0.1:8080/jwks.json']) {
      expect(() => loadConfig({ ...idp, AUTH_JWKS_URL: url })).toThrow(
        new ConfigError('Invalid configuration: AUTH_JWKS_URL must be an https:// URL when NODE_ENV=production'),
      );
    }
    const file = issuersFile([{ ...partner, jwksUri: 'http://idp.nhs.example/jwks' }]);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_ISSUERS_FILE: file })).toThrow(
      /issuers\[0\] \(https:\/\/idp.nhs.example\): jwksUri must be an https:\/\/ URL/,
    );
  });

  it.each(['development', 'test'])(
    'allows a plain-http key set when NODE_ENV=%s (local identity-provider doubles)',
    (nodeEnv) => {
      const auth = loadConfig({
        NODE_ENV: nodeEnv,
        AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json',
        AUTH_ISSUER: 'x',
        AUTH_AUDIENCE: 'y',
      }).auth;
      expect(auth.issuers[0].keys).toEqual({ kind: 'remote', uri: 'http://127.0.0.1:8080/jwks.json' });
    },
  );

  it('never trusts a key file on its own (finding 1)', () => {
    expect(() => loadConfig({ AUTH_JWKS_FILE: '/tmp/keys.json' })).toThrow(
      /AUTH_JWKS_FILE is no longer trusted on its own/,
    );
  });

  it('reads several issuers, keeping the dev key beside them only when asked and never in production', () => {
    const file = issuersFile({ issuers: [partner] });
    expect(loadConfig({ AUTH_ISSUERS_FILE: file }).auth.issuers.map((entry) => entry.issuer)).toEqual([
      'https://idp.nhs.example',
    ]);
    expect(
      loadConfig({ AUTH_ISSUERS_FILE: file, AUTH_DEV_TOKENS: 'true' }).auth.issuers.map((entry) => entry.issuer),
    ).toEqual(['https://idp.nhs.example', 'urn:single-view-hub:local']);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_ISSUERS_FILE: file, AUTH_DEV_TOKENS: 'true' })).toThrow(
      /AUTH_DEV_TOKENS must not be true/,
    );
  });

  it.each([
    [
      'a partner issuer granting dpo',
      [{ ...partner, roles: ['partner-agency', 'dpo'] }],
      /may not grant dpo: only an issuer listed for the council/,
    ],
    ['no key source', [{ ...partner, jwksUri: undefined }], /exactly one of jwksUri and jwksFile/],
    ['two key sources', [{ ...partner, jwksFile: 'k.json' }], /exactly one of jwksUri and jwksFile/],
    ['an unknown role', [{ ...partner, roles: ['root'] }], /issuers\.0\.roles\.0/],
    ['an unknown setting', [{ ...partner, trustEverything: true }], /issuers\.0/],
    ['a bad claim path', [{ ...partner, claims: { roles: 'realm_access..roles' } }], /dotted path/],
    ['the same issuer twice', [partner, partner], /listed twice/],
    ['no entries', [], /issuers/],
    ['a lifetime of a year', [{ ...partner, maxTokenLifetimeSeconds: 31_536_000 }], /maxTokenLifetimeSeconds/],
  ])('refuses a registry with %s, naming the entry', (_name, issuers, message) => {
    expect(() => loadConfig({ AUTH_ISSUERS_FILE: issuersFile({ issuers }) })).toThrow(message);
  });

  it('refuses a registry file that is missing or not JSON, with one line', () => {
    expect(() => loadConfig({ AUTH_ISSUERS_FILE: '/nonexistent/issuers.json' })).toThrow(
      new ConfigError('Invalid configuration: AUTH_ISSUERS_FILE /nonexistent/issuers.json: file not found'),
    );
    expect(() => loadConfig({ AUTH_ISSUERS_FILE: issuersFile('{') })).toThrow(/not valid JSON/);
  });

  it.each(['none', 'HS256', 'ES256,HS512', ','])('refuses AUTH_ALGORITHMS=%p', (value) => {
    expect(() => loadConfig({ AUTH_ALGORITHMS: value })).toThrow(/AUTH_ALGORITHMS must list only/);
  });

  it('refuses a JWKS URL that is not http(s) and an absurd clock skew', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'file:///etc/jwks', AUTH_ISSUER: 'x', AUTH_AUDIENCE: 'y' })).toThrow(
      /AUTH_JWKS_URL/,
    );
    expect(() => loadConfig({ AUTH_CLOCK_SKEW_SECONDS: '3600' })).toThrow(/AUTH_CLOCK_SKEW_SECONDS/);
  });
});
