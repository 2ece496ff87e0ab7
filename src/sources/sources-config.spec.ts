import { ConfigError } from '../config/config';
import { parseSourcesConfig } from './sources-config';

const known = ['housing', 'benefits', 'social-care'];
const valid = {
  sources: {
    housing: {
      baseUrl: 'https://housing.example.gov.uk/api/',
      auth: { type: 'api-key', keyEnv: 'HOUSING_KEY' },
      pageSize: 300,
    },
    benefits: {
      baseUrl: 'http://127.0.0.1:8081',
      auth: { type: 'basic', username: 'hub', passwordEnv: 'BENEFITS_PASSWORD' },
      retry: { maxAttempts: 5 },
    },
    'care-north': {
      adapter: 'social-care',
      baseUrl: 'https://care.example.gov.uk',
      auth: { type: 'bearer', token: 't0k3n' },
      timeoutMs: 3000,
    },
    old: { enabled: false, baseUrl: 'https://old.example.gov.uk', auth: { type: 'bearer', token: 'x' } },
  },
};
const env = { HOUSING_KEY: 'k', BENEFITS_PASSWORD: 'p' };

function errorOf(raw: unknown, environment: NodeJS.ProcessEnv = env): unknown {
  try {
    parseSourcesConfig(raw, known, environment, 'sources.json');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sources configuration', () => {
  it('resolves each enabled source: adapter, credentials from the environment, defaults', () => {
    const connections = parseSourcesConfig(valid, known, env);
    expect(connections.map((c) => c.id)).toEqual(['housing', 'benefits', 'care-north']);
    expect(connections[0]).toEqual({
      id: 'housing',
      adapter: 'housing',
      baseUrl: 'https://housing.example.gov.uk/api',
      authHeaders: { 'x-api-key': 'k' },
      timeoutMs: 10_000,
      pageSize: 300,
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5000 },
    });
    expect(connections[1].authHeaders).toEqual({ authorization: `Basic ${Buffer.from('hub:p').toString('base64')}` });
    expect(connections[1].retry.maxAttempts).toBe(5);
    expect(connections[2]).toMatchObject({
      adapter: 'social-care',
      authHeaders: { authorization: 'Bearer t0k3n' },
      timeoutMs: 3000,
    });
  });

  it.each([
    [
      { sources: { housing: { ...valid.sources.housing, baseUrl: 'http://housing.example.gov.uk' } } },
      'sources.housing.baseUrl must be an https URL (plain http only for localhost or 127.0.0.1)',
    ],
    [{ sources: { housing: { ...valid.sources.housing, timeoutMs: 5 } } }, 'sources.housing.timeoutMs must be >=100'],
    [
      { sources: { housing: { ...valid.sources.housing, pageSize: 'many' } } },
      'sources.housing.pageSize expected number, received string',
    ],
    [{ sources: { housing: { ...valid.sources.housing, auth: { type: 'oauth' } } } }, 'sources.housing.auth'],
    [
      { sources: { housing: { ...valid.sources.housing, auth: { type: 'api-key', key: 'a', keyEnv: 'B' } } } },
      'sources.housing.auth needs exactly one of "key" or "keyEnv"',
    ],
    [
      { sources: { housing: { ...valid.sources.housing, auth: { type: 'bearer', tokenEnv: 'NOPE' } } } },
      'sources.housing.auth.tokenEnv names NOPE, which is not set',
    ],
    [
      { sources: { housing: { ...valid.sources.housing, adapter: 'council-tax' } } },
      'sources.housing.adapter must be one of housing, benefits, social-care (got "council-tax")',
    ],
    [
      { sources: { housing: { ...valid.sources.housing, colour: 'red' } } },
      'sources.housing has unknown field(s) colour',
    ],
    [
      { sources: { housing: { ...valid.sources.housing, retry: { initialDelayMs: 900, maxDelayMs: 100 } } } },
      'sources.housing.retry.maxDelayMs must not be below initialDelayMs',
    ],
    [{ sources: { housing: { auth: valid.sources.housing.auth } } }, 'sources.housing.baseUrl is required'],
    [{ sources: {} }, 'sources must enable at least one source'],
    [[], 'file'],
  ])('refuses %j with one line naming the source and the field', (raw, expected) => {
    const error = errorOf(raw);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`Invalid sources configuration (sources.json): ${expected}`);
    expect(message).not.toContain('\n');
  });
});
