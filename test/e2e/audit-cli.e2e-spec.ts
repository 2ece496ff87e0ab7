import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSuperuserWithoutTriggers, auditServices, AuditServices, disclosure } from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const root = join(__dirname, '..', '..');

/** `npm run --silent cli -- audit ...`, run from the sources (the same CLI entry point, without a build). */
function cli(
  db: TestDatabase,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', join(root, 'test', 'support', 'swc-register.cjs'), join(root, 'src', 'cli', 'main.ts'), 'audit', ...args],
      {
        cwd: root,
        timeout: 90_000,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-cli-')),
          LOG_LEVEL: '',
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run cli -- audit verify', () => {
  let db: TestDatabase;
  let s: AuditServices;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource);
    for (let i = 1; i <= 5; i += 1) await s.audit.record(disclosure(i));
  });
  afterAll(async () => {
    await s.close();
    await db.drop();
  });

  it('prints the verification as JSON and exits 0 when the chain is whole', async () => {
    const run = await cli(db, ['verify', '--from', '2', '--to', '5']);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      valid: true,
      checkedEvents: 4,
      checkedCheckpoints: 0,
      firstBrokenSeq: null,
      problem: null,
      fromSeq: 2,
      toSeq: 5,
    });
    expect(run.code).toBe(0);
  }, 90_000);

  it('exits non-zero and names the first broken event when it is not', async () => {
    await asSuperuserWithoutTriggers(db.url, (c) => c.query(`delete from audit_event where seq = 4`));
    const run = await cli(db, ['verify']);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, firstBrokenSeq: 4, problem: 'event 4 is missing' });
    expect(run.code).toBe(1);
  }, 90_000);
});

describe('npm run cli -- audit public-key', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('prints the public half of the key that signs the checkpoints, for HUB_RETIRED_KEYS_FILE', async () => {
    const env = { HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-cli-key-')) };
    const printed = await cli(db, ['public-key'], env);
    expect(printed.code).toBe(0);
    const jwk = JSON.parse(printed.stdout);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(jwk).not.toHaveProperty('d');
    const checkpoint = await cli(db, ['checkpoint'], env);
    expect(JSON.parse(checkpoint.stdout).kid).toBe(jwk.kid);
  }, 90_000);
});
