import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppendLog, writeJsonFile, WriteQueue } from './sandbox-storage';

describe('WriteQueue', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'write-queue-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lets saves asked for while one waits share it, and each resolves with its change on disk', async () => {
    const file = join(dir, 'store.json');
    const state = { changes: [] as number[] };
    const queue = new WriteQueue();
    let writes = 0;
    const save = () =>
      queue.run(async () => {
        writes += 1;
        await writeJsonFile(file, state);
      });
    const done: Promise<void>[] = [];
    for (let change = 1; change <= 20; change += 1) {
      state.changes.push(change);
      const asked = change;
      done.push(
        save().then(async () => {
          const onDisk = JSON.parse(await readFile(file, 'utf8')) as { changes: number[] };
          expect(onDisk.changes).toContain(asked);
        }),
      );
    }
    await Promise.all(done);
    expect(writes).toBeLessThan(20);
    expect(writes).toBeGreaterThanOrEqual(1);
  });

  it('never runs two writes at once, and a failed write does not stop the next', async () => {
    const queue = new WriteQueue();
    let running = 0;
    let most = 0;
    const work = (fail: boolean) => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      if (fail) throw new Error('disk full');
    };
    const first = queue.run(work(true));
    await expect(first).rejects.toThrow('disk full');
    const results = await Promise.allSettled([queue.run(work(false)), queue.run(work(false))]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(most).toBe(1);
  });
});

describe('AppendLog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'append-log-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps every line appended, in order, and reads up to a torn last line', async () => {
    const log = new AppendLog(join(dir, 'desk.jsonl'));
    expect(await log.read()).toEqual([]);
    await Promise.all(Array.from({ length: 50 }, (_, seq) => log.append({ seq })));
    await appendFile(log.file, '{"seq":50,"entry":{"idem');
    const lines = (await log.read()) as { seq: number }[];
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 50 }, (_, seq) => seq));
    // Recovery cuts the torn tail off, so the next line starts on a line of its own.
    expect(await log.recover()).toHaveLength(50);
    await log.append({ seq: 50 });
    expect(((await log.read()) as { seq: number }[]).at(-1)).toEqual({ seq: 50 });
    await log.rewrite((line) => (line as { seq: number }).seq >= 45);
    expect(((await log.read()) as { seq: number }[]).map((l) => l.seq)).toEqual([45, 46, 47, 48, 49, 50]);
  });
});
