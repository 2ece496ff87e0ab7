import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '../../src/auth/auth-settings';

jest.setTimeout(60_000);

const root = join(__dirname, '..', '..');
const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['-r', './test/support/swc-register.cjs', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });

describe('cli token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-cli-token-'));

  it('prints one signed token and nothing else', async () => {
    const run = cli(
      [
        'token',
        '--role',
        'caseworker',
        '--org',
        'council',
        '--team',
        'housing-options',
        '--sub',
        'carol',
        '--ttl',
        '30m',
      ],
      { HUB_DATA_DIR: dataDir },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { d: _d, ...publicJwk } = JSON.parse(readFileSync(join(dataDir, 'keys', 'hub-signing-key.json'), 'utf8'));
    const { payload, protectedHeader } = await jwtVerify(run.stdout.trim(), await importJWK(publicJwk, 'ES256'), {
      issuer: LOCAL_TOKEN_ISSUER,
      audience: LOCAL_TOKEN_AUDIENCE,
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: publicJwk.kid });
    expect(payload).toMatchObject({
      sub: 'carol',
      org: 'council',
      roles: ['caseworker'],
      team: 'housing-options',
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(1800);
  });

  it('refuses in production with a clear message and prints no token', () => {
    const run = cli(['token', '--role', 'admin', '--org', 'council'], {
      HUB_DATA_DIR: dataDir,
      NODE_ENV: 'production',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Local token signing is refused when NODE_ENV=production');
  });

  it('refuses an unknown role', () => {
    const run = cli(['token', '--role', 'wizard', '--org', 'council'], { HUB_DATA_DIR: dataDir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--role wizard is not one of');
  });
});
