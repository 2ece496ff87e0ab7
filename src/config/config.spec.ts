import { ConfigError, describeDatabaseUrl } from './config';
import { loadConfig } from '../hub-config';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.nodeEnv).toBe('development');
    expect(config.logLevel).toBe('info');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('keeps quarantined values 90 days unless told otherwise', () => {
    expect(loadConfig({}).sources.quarantineRetentionDays).toBe(90);
    expect(loadConfig({ QUARANTINE_RETENTION_DAYS: '1' }).sources.quarantineRetentionDays).toBe(1);
    expect(loadConfig({ QUARANTINE_RETENTION_DAYS: '3650' }).sources.quarantineRetentionDays).toBe(3650);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it("takes the council's name for the console, and refuses one that could be markup", () => {
    expect(loadConfig({}).console.councilName).toBeUndefined();
    expect(loadConfig({ CONSOLE_COUNCIL_NAME: '  Demo Borough Council ' }).console.councilName).toBe(
      'Demo Borough Council',
    );
    for (const name of ['<b>Council</b>', 'Council\u0007', 'x'.repeat(81)])
      expect(() => loadConfig({ CONSOLE_COUNCIL_NAME: name })).toThrow(/CONSOLE_COUNCIL_NAME/);
  });

  it('parses a valid environment', () => {
    const config = loadConfig({ PORT: '8080', NODE_ENV: 'production', DATABASE_URL: 'postgres://u:p@db/hub' });
    expect(config).toMatchObject({ port: 8080, nodeEnv: 'production', databaseUrl: 'postgres://u:p@db/hub' });
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT /],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be/],
    [{ NODE_ENV: 'staging' }, /^Invalid configuration: NODE_ENV must be one of development, test, production/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL must be one of/],
    [{ DATABASE_URL: 'mysql://x/y' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\//],
    [{ QUARANTINE_RETENTION_DAYS: '0' }, /^Invalid configuration: QUARANTINE_RETENTION_DAYS must be >=1/],
    [{ QUARANTINE_RETENTION_DAYS: '3651' }, /^Invalid configuration: QUARANTINE_RETENTION_DAYS must be <=3650/],
    [{ QUARANTINE_RETENTION_DAYS: '30.5' }, /^Invalid configuration: QUARANTINE_RETENTION_DAYS /],
  ])('rejects %p with one line naming the variable', (env, message) => {
    const error = captureError(() => loadConfig(env));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  it('never echoes a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'http://admin:s3cret@db/x' })).toThrow(/admin:\*\*\*@/);
    expect(describeDatabaseUrl('postgres://admin:s3cret@db/x')).toBe('postgres://admin:***@db/x');
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
