import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { prepareEvent } from '../../src/audit/audit-content';
import { auditRoleProblems, readAuditRoleFacts } from '../../src/audit/audit-role-check';
import { checkAuditRoleAtStart, PRIVILEGED_START_OPERATION } from '../../src/audit/audit-role-startup';
import { AuditErrorCode, AuditException } from '../../src/audit/audit.exception';
import { createHub } from '../../src/bootstrap';
import { loadConfig } from '../../src/hub-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { disclosure } from '../support/audit-fixtures';

jest.setTimeout(120_000);

/**
 * Finding 8 of issue #14: a hub connected as a role that can switch the audit triggers off could rewrite
 * the trail. The roles are made for this run (unique names, dropped afterwards) on the test server, where
 * the suite itself connects as a superuser. The database is set up as docs/data-protection.md
 * ("Production roles") says: owned and migrated by an owner role, the hub's role given the audit grants.
 */

const run = randomBytes(4).toString('hex');
const roleName = (kind: string) => `hub_${kind}_${run}`;
const roles = {
  owner: roleName('owner'),
  ownerMember: roleName('owner_member'),
  app: roleName('app'),
  replica: roleName('replica'),
  bypass: roleName('bypass'),
};
const passwords = Object.fromEntries(Object.values(roles).map((name) => [name, randomBytes(12).toString('hex')]));
const database = `hub_test_roles_${run}`;
const emptyDatabase = `hub_test_roles_${run}_empty`;
const root = join(__dirname, '..', '..');

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suites through jest (globalSetup sets it)');
  return url;
}

/** The test server's own (superuser) role, as TEST_DATABASE_URL names it. */
const superuser = () => decodeURIComponent(new URL(serverUrl()).username);

function urlAs(role: string | undefined, db = database): string {
  const url = new URL(serverUrl());
  if (role) {
    url.username = role;
    url.password = passwords[role];
  }
  url.pathname = `/${db}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const asServerAdmin = <T>(work: (client: Client) => Promise<T>) => withClient(serverUrl(), work);

/** docs/data-protection.md, "Production roles": what the owner grants the hub's role after migrating. */
async function grantHubRole(owner: DataSource, role: string): Promise<void> {
  await owner.query(`grant select, insert, update, delete on all tables in schema public to ${role}`);
  await owner.query(`grant usage on all sequences in schema public to ${role}`);
  await owner.query('select audit_grant_app_role($1)', [role]);
  await owner.query(`revoke all on schema_migration from ${role}`);
  await owner.query(`grant select on schema_migration to ${role}`);
  await owner.query(`grant usage on schema pgboss to ${role}`);
  await owner.query(`grant select, insert, update, delete on all tables in schema pgboss to ${role}`);
}

async function problemsOf(role: string | undefined) {
  return auditRoleProblems(await withClient(urlAs(role), readAuditRoleFacts));
}

/** A production configuration on `url` with no sources; no identity provider either, as no request is made. */
function productionConfig(url: string, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-roles-')),
    SANDBOX_SOURCES: 'off',
    SYNC_SCHEDULE: 'off',
    SYNC_ON_START: 'false',
    AUDIT_CHECKPOINT_INTERVAL: '0',
    ...env,
  });
}

/** What createHub() does with this role in production: the error it refuses with, or undefined if it started. */
async function startInProduction(url: string, env: NodeJS.ProcessEnv = {}): Promise<unknown> {
  const config = productionConfig(url, env);
  const runtime = await DatabaseRuntime.open(config);
  try {
    const hub = await createHub(config, runtime);
    await hub.app.init();
    await hub.close();
    return undefined;
  } catch (error) {
    await runtime.close();
    return error;
  }
}

beforeAll(async () => {
  await asServerAdmin(async (admin) => {
    const create = (role: string, options = '') =>
      admin.query(`create role ${role} login password '${passwords[role]}' ${options}`);
    await create(roles.owner);
    await create(roles.ownerMember);
    await admin.query(`grant ${roles.owner} to ${roles.ownerMember}`);
    await create(roles.app);
    await create(roles.replica);
    await admin.query(`grant set on parameter session_replication_role to ${roles.replica}`);
    await create(roles.bypass, 'bypassrls');
    // As docs/data-protection.md: the owner owns the database and runs the migrations.
    await admin.query(`create database ${database} owner ${roles.owner}`);
    await admin.query(`create database ${emptyDatabase}`);
  });
  const migrator = new DataSource(dataSourceOptions(urlAs(roles.owner), [], ['error']));
  await migrator.initialize();
  try {
    await migrator.runMigrations();
    // The same grants for each would-be hub role: only the right the test is about differs.
    for (const role of [roles.app, roles.replica, roles.bypass]) await grantHubRole(migrator, role);
  } finally {
    await migrator.destroy();
  }
  // One event, appended by the restricted role the only way it can: through audit_append().
  await withClient(urlAs(roles.app), (client) =>
    client.query('select audit_append($1::jsonb)', [JSON.stringify([prepareEvent(disclosure(1))])]),
  );
});

afterAll(async () => {
  await asServerAdmin(async (admin) => {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`drop database if exists ${emptyDatabase} with (force)`);
    await admin.query(`revoke set on parameter session_replication_role from ${roles.replica}`);
    for (const role of Object.values(roles)) await admin.query(`drop role if exists ${role}`);
  });
});

describe('the role check against the real database (audit-role-check.ts)', () => {
  it('(a) refuses the superuser, naming that alone (it implies the rest)', async () => {
    const [{ rolsuper }] = (
      await asServerAdmin((c) => c.query('select rolsuper from pg_roles where rolname = current_user'))
    ).rows;
    expect(rolsuper).toBe(true);
    expect(await problemsOf(undefined)).toEqual([{ code: 'superuser', text: `"${superuser()}" is a superuser` }]);
  });

  it('(b) refuses the owner of the audit tables, who is no superuser, and a member of the owning role', async () => {
    // It owns the database too, so the schema (through pg_database_owner): it could drop the trail as well.
    expect(await problemsOf(roles.owner)).toEqual([
      {
        code: 'owner',
        text: `"${roles.owner}" owns the audit tables and functions (can disable or replace their triggers)`,
      },
      {
        code: 'schema-owner',
        text: `"${roles.owner}" can become "pg_database_owner", which owns schema "public" holding the audit tables (can drop them)`,
      },
    ]);
    // A member may SET ROLE to the owner, so it holds all the owner holds.
    const member = await problemsOf(roles.ownerMember);
    expect(member.map((p) => p.code)).toEqual(['owner', 'schema-owner']);
    expect(member[0].text).toBe(
      `"${roles.ownerMember}" can become "${roles.owner}", which owns the audit tables and functions (can disable or replace their triggers)`,
    );
  });

  it('(c) refuses a role granted SET on session_replication_role', async () => {
    const problems = await problemsOf(roles.replica);
    expect(problems.map((p) => p.code)).toEqual(['replication-role']);
    expect(problems[0].text).toMatch('may set session_replication_role');
  });

  it('(d) refuses a BYPASSRLS role', async () => {
    const problems = await problemsOf(roles.bypass);
    expect(problems).toEqual([{ code: 'bypass-rls', text: `"${roles.bypass}" has BYPASSRLS` }]);
  });

  it('(e) passes the role the production-roles grants make', async () => {
    expect(await problemsOf(roles.app)).toEqual([]);
  });

  it('refuses a database whose audit tables are missing: whoever migrated it would own them', async () => {
    const facts = await withClient(urlAs(roles.app, emptyDatabase), readAuditRoleFacts);
    expect(facts.trailFound).toBe(false);
    expect(auditRoleProblems(facts)).toEqual([
      {
        code: 'trail-missing',
        text: `the audit tables do not exist yet, so the hub's migrations would create them owned by "${roles.app}"`,
      },
    ]);
  });
});

describe('what the check prevents', () => {
  const rewrite = (client: Client) =>
    client.query(`update audit_event set purpose = 'rewritten' where seq = 1 returning purpose`);
  const purposeNow = () =>
    withClient(
      urlAs(roles.app),
      async (c) => (await c.query('select purpose from audit_event where seq = 1')).rows[0].purpose,
    );

  it('the superuser rewrites an event with session_replication_role = replica; the owner by disabling the triggers', async () => {
    const original = await purposeNow();
    await withClient(urlAs(undefined), async (client) => {
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      expect((await rewrite(client)).rows).toEqual([{ purpose: 'rewritten' }]);
      await client.query('rollback');
    });
    await withClient(urlAs(roles.owner), async (client) => {
      // Not a superuser: the parameter is refused, but the owner needs no parameter.
      await expect(client.query('set session_replication_role = replica')).rejects.toMatchObject({ code: '42501' });
      await client.query('begin');
      await client.query('alter table audit_event disable trigger user');
      expect((await rewrite(client)).rows).toEqual([{ purpose: 'rewritten' }]);
      await client.query('rollback');
    });
    expect(await purposeNow()).toBe(original);
  });

  it('a role with SET on session_replication_role rewrites an event through the partition its grants reach', async () => {
    const original = await purposeNow();
    await withClient(urlAs(roles.replica), async (client) => {
      // "all tables in schema public" includes the trail's partitions; their copies of the triggers guard them.
      const [{ partition }] = (
        await client.query('select tableoid::regclass::text as partition from audit_event where seq = 1')
      ).rows;
      const rewritePartition = () =>
        client.query(`update ${partition} set purpose = 'rewritten' where seq = 1 returning purpose`);
      await expect(rewritePartition()).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/append-only/),
      });
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      expect((await rewritePartition()).rows).toEqual([{ purpose: 'rewritten' }]);
      await client.query('rollback');
    });
    expect(await purposeNow()).toBe(original);
  });

  it('the restricted role can do none of it', async () => {
    await withClient(urlAs(roles.app), async (client) => {
      const [{ partition }] = (
        await client.query('select tableoid::regclass::text as partition from audit_event where seq = 1')
      ).rows;
      await expect(client.query(`update ${partition} set purpose = 'rewritten' where seq = 1`)).rejects.toMatchObject({
        code: '42501',
      });
      await expect(client.query('set session_replication_role = replica')).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('alter table audit_event disable trigger user')).rejects.toMatchObject({
        code: '42501',
      });
      await expect(
        client.query(
          `create or replace function audit_refuse() returns trigger language plpgsql as $$ begin return null; end $$`,
        ),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(rewrite(client)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('delete from audit_event where seq = 1')).rejects.toMatchObject({ code: '42501' });
    });
  });
});

describe('at start in production', () => {
  it('(a) refuses the superuser in one line naming the problem and the fix, before any migration runs', async () => {
    const error = await startInProduction(urlAs(undefined, emptyDatabase));
    expect(error).toBeInstanceOf(AuditException);
    expect((error as AuditException).code).toBe(AuditErrorCode.AUDIT_ROLE_PRIVILEGED);
    const message = (error as Error).message;
    expect(message).not.toMatch(/\n/);
    expect(message).toMatch(`"${superuser()}" is a superuser`);
    expect(message).toMatch('docs/data-protection.md, "Production roles"');
    expect(message).toMatch('AUDIT_ALLOW_PRIVILEGED_ROLE=true');
    const migrated = await withClient(urlAs(undefined, emptyDatabase), (c) =>
      c.query(`select to_regclass('schema_migration') as t`),
    );
    expect(migrated.rows[0].t).toBeNull();
  });

  it('(a) the process prints exactly that line on stderr and exits 1', () => {
    const child = spawnSync(
      process.execPath,
      ['-r', join(root, 'test', 'support', 'swc-register.cjs'), join(root, 'src', 'main.ts')],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 90_000,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'silent',
          PORT: '0',
          DATABASE_URL: urlAs(undefined, emptyDatabase),
          HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-roles-main-')),
        },
      },
    );
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    const lines = child.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^Refusing to start: .*"${superuser()}" is a superuser.*"Production roles".*AUDIT_ALLOW_PRIVILEGED_ROLE=true`,
      ),
    );
  });

  it.each([
    ['(b) the owner', roles.owner, 'owns the audit tables'],
    ['(c) the role allowed to set session_replication_role', roles.replica, 'may set session_replication_role'],
    ['(d) the BYPASSRLS role', roles.bypass, 'has BYPASSRLS'],
  ])('refuses %s', async (_name, role, problem) => {
    const error = await startInProduction(urlAs(role));
    expect(error).toMatchObject({
      code: AuditErrorCode.AUDIT_ROLE_PRIVILEGED,
      message: expect.stringContaining(problem),
    });
  });

  it('(e) lets the restricted role through, and the hub starts on it', async () => {
    expect(await checkAuditRoleAtStart(productionConfig(urlAs(roles.app)), urlAs(roles.app))).toBeUndefined();
    expect(await startInProduction(urlAs(roles.app))).toBeUndefined();
  });

  it('checks nothing outside production', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: urlAs(undefined) });
    expect(await checkAuditRoleAtStart(config, urlAs(undefined))).toBeUndefined();
  });

  it('(f) with AUDIT_ALLOW_PRIVILEGED_ROLE=true starts, warns and writes an audit event at every start', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const starts = async () =>
      withClient(
        urlAs(roles.app),
        async (c) =>
          (
            await c.query(
              `select actor_subject, decision, reasons, detail from audit_event where operation = $1 order by seq`,
              [PRIVILEGED_START_OPERATION],
            )
          ).rows,
      );
    try {
      expect(await starts()).toEqual([]);
      for (let i = 0; i < 2; i += 1)
        expect(await startInProduction(urlAs(undefined), { AUDIT_ALLOW_PRIVILEGED_ROLE: 'true' })).toBeUndefined();
      const event = {
        actor_subject: 'system:start',
        decision: 'change',
        reasons: ['superuser'],
        detail: {
          setting: 'AUDIT_ALLOW_PRIVILEGED_ROLE',
          role: superuser(),
          problems: [`"${superuser()}" is a superuser`],
        },
      };
      expect(await starts()).toEqual([event, event]);
      const warnings = warn.mock.calls
        .map(([message]) => String(message))
        .filter((message) => message.includes('AUDIT_ALLOW_PRIVILEGED_ROLE=true'));
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(`"${superuser()}" is a superuser`);
    } finally {
      warn.mockRestore();
    }
  });
});
