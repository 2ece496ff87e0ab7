import type { INestApplication } from '@nestjs/common';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxDefinitions } from '../../src/sandbox/sandbox-registry';
import { SourceRegistry } from '../../src/sources/source-registry.service';
import { IdentitySyncService } from '../../src/sources/sync/identity-sync.service';
import { createHub } from '../../src/bootstrap';
import { loadConfig } from '../../src/hub-config';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { createTestDatabase } from '../support/test-database';
import { startTestHub, TestHub } from '../support/test-hub';

// Jest ignores testTimeout inside `projects`; these suites start the hub and sync real pages.
jest.setTimeout(120_000);

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every registered source's sandbox (the embedded default starts them all). */
const sandboxIds = sandboxDefinitions.map((d) => d.id);

describe('sources in the running hub', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hub-sources-e2e-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('starts no sandbox and syncs nothing in tests unless asked', async () => {
    const hub = await startTestHub();
    try {
      expect(hub.app.get(SourceRegistry).configuredIds()).toEqual([]);
      expect(await hub.app.get(IdentitySyncService).sync()).toEqual([]);
    } finally {
      await hub.stop();
    }
  });

  describe('embedded default (SANDBOX_SOURCES=on)', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub({
        SANDBOX_SOURCES: 'on',
        SANDBOX_HOUSEHOLDS: '80',
        SYNC_ON_START: 'true',
        SYNC_SCHEDULE: '*/30 * * * *',
        HUB_DATA_DIR: dataDir,
      });
    });
    afterAll(() => hub?.stop());

    it('generates a borough under HUB_DATA_DIR, starts every registered sandbox and syncs them in the background', async () => {
      const states = await waitFor(async () => {
        const rows: { source: string; status: string }[] = await hub.db.dataSource.query(
          `select source, status from source_sync_state where status = 'idle' order by source`,
        );
        return rows.length === sandboxIds.length ? rows : undefined;
      }, 'the sync on start');
      expect(states.map((s) => s.source)).toEqual([...sandboxIds].sort());
      const counts: { source: string; n: number }[] = await hub.db.dataSource.query(
        'select source, count(*)::int as n from source_record group by source order by source',
      );
      expect(counts.every((c) => c.n > 0)).toBe(true);
    });

    it('schedules the sync and the daily quarantine purge on the shared job queue', async () => {
      const rows: { name: string; cron: string }[] = await waitFor(async () => {
        const found = await hub.db.dataSource
          .query(
            `select name, cron from pgboss.schedule where name in ('source-sync', 'quarantine-purge') order by name`,
          )
          .catch(() => []);
        return found.length === 2 ? found : undefined;
      }, 'the schedules');
      expect(rows).toEqual([
        { name: 'quarantine-purge', cron: '30 3 * * *' },
        { name: 'source-sync', cron: '*/30 * * * *' },
      ]);
    });

    it('reaches every sandbox through its adapter', async () => {
      const registry = hub.app.get(SourceRegistry);
      for (const id of sandboxIds) expect(await (await registry.adapter(id)).health()).toMatchObject({ status: 'up' });
      const [record] = await hub.db.dataSource.query(
        `select source_key from source_record where source = 'housing' order by source_key limit 1`,
      );
      const details = await (await registry.adapter('housing')).fetchDetails([record.source_key, 'T-NOT-THERE']);
      expect([...details.keys()]).toEqual([record.source_key]);
      expect(details.get(record.source_key)![0].category).toMatch(/tenancy|homelessness-application/);
    });
  });

  it('refuses to start with a bad sources configuration, naming the source and field in one line', async () => {
    const file = join(dataDir, 'sources.json');
    await writeFile(
      file,
      JSON.stringify({ sources: { housing: { baseUrl: 'ftp://x', auth: { type: 'bearer', token: 't' } } } }),
    );
    const db = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, SOURCES_CONFIG: file });
    const runtime = await DatabaseRuntime.open(config);
    let app: INestApplication | undefined;
    try {
      const starting = createHub(config, runtime).then((hub) => {
        app = hub.app;
        return hub.app.init();
      });
      await expect(starting).rejects.toThrow(
        /^Invalid sources configuration \(.*sources\.json\): sources\.housing\.baseUrl must be an https URL/,
      );
    } finally {
      // The modules started before the failure (the audit checkpoint's timer among them) are stopped, as
      // main.ts's exit stops them for a real start; left running, the timer fired after the suite ended.
      await app?.close();
      await runtime.close();
      await db.drop();
    }
  });
});
