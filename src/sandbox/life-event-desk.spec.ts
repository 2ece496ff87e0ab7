import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppliedLifeEvent, JournalledStore, LifeEventDesk, LifeEventPlan, SandboxLifeEvent } from './sandbox-kit';
import { readJsonFile, writeJsonFile, WriteQueue } from './sandbox-storage';

type Row = { id: string; name: string; stamp: number; deleted?: boolean };
interface Data {
  rows: Row[];
  lifeEvents: AppliedLifeEvent[];
  lifeEventSeq: number;
}

/** The smallest store a desk works on: rows by id in one JSON file. */
class MemoryStore implements JournalledStore {
  private readonly writes = new WriteQueue();
  private stamp = 0;
  saves = 0;

  constructor(
    private readonly file: string,
    private readonly data: Data,
  ) {}

  static async load(file: string): Promise<MemoryStore> {
    return new MemoryStore(file, await readJsonFile<Data>(file));
  }

  get lifeEvents() {
    return this.data.lifeEvents;
  }
  get lifeEventSeq() {
    return this.data.lifeEventSeq;
  }
  set lifeEventSeq(seq: number) {
    this.data.lifeEventSeq = seq;
  }
  get(id: string) {
    return this.data.rows.find((r) => r.id === id && !r.deleted);
  }
  set(id: string, fields: Record<string, unknown>) {
    Object.assign(this.get(id)!, fields, { stamp: ++this.stamp });
  }
  add(id: string, record: Record<string, unknown>) {
    this.data.rows.push({ ...(record as Row), id, stamp: ++this.stamp });
  }
  remove(id: string) {
    const row = this.get(id);
    if (row) Object.assign(row, { deleted: true, stamp: ++this.stamp });
    return !!row;
  }
  raw(id: string) {
    return this.data.rows.find((r) => r.id === id);
  }
  restore(id: string, raw: unknown) {
    this.data.rows = this.data.rows.filter((r) => r.id !== id);
    if (raw) this.data.rows.push(raw as Row);
  }
  save() {
    this.saves += 1;
    return this.writes.run(() => writeJsonFile(this.file, this.data));
  }
  rows() {
    return [...this.data.rows].sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** Rules of a toy system: a name change renames every subject; a birth adds a row. */
function plan(event: SandboxLifeEvent): LifeEventPlan {
  if (event.type === 'BIRTH')
    return { outcome: 'applied', detail: 'added', edits: [{ key: `child-${event.eventId}`, add: { name: 'baby' } }] };
  return {
    outcome: 'applied',
    detail: 'renamed',
    edits: event.subjects.map((key) => ({ key, set: { name: event.newName!.familyName } })),
  };
}

const rename = (key: string, eventId: string, name: string): SandboxLifeEvent => ({
  key,
  kind: 'NOTICE',
  eventId,
  type: 'CHANGE_OF_NAME',
  subjects: ['a'],
  newName: { familyName: name },
});

describe('LifeEventDesk', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desk-'));
    file = join(dir, 'store.json');
    await writeJsonFile(file, {
      rows: [
        { id: 'a', name: 'Ash', stamp: 0 },
        { id: 'b', name: 'Birch', stamp: 0 },
      ],
      lifeEvents: [],
      lifeEventSeq: 0,
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('undoes a retracted notice, but keeps a field changed again since', async () => {
    const store = await MemoryStore.load(file);
    const desk = await LifeEventDesk.open(store, `${file}.log`);
    await desk.receive(rename('k1', 'e1', 'Oak'), plan);
    await desk.receive(rename('k2', 'e2', 'Elm'), plan);
    const undo = await desk.receive({ ...rename('k3', 'e1', 'Oak'), kind: 'RETRACTION' }, plan);
    expect(undo).toEqual({ outcome: 'applied', detail: 'undone: renamed (1 field(s) changed since were kept)' });
    expect(store.get('a')!.name).toBe('Elm');
    // Undoing the later notice then puts back the value before it (a known limit: retractions out of order
    // on one field leave the first notice's value).
    await expect(desk.receive({ ...rename('k4', 'e2', 'Elm'), kind: 'RETRACTION' }, plan)).resolves.toMatchObject({
      outcome: 'applied',
    });
    expect(store.get('a')!.name).toBe('Oak');
  });

  it('compacts: saves the store whole and keeps only later lines; a desk opened again sees the same', async () => {
    const store = await MemoryStore.load(file);
    const desk = await LifeEventDesk.open(store, `${file}.log`, { compactEvery: 3 });
    for (let i = 1; i <= 7; i += 1) await desk.receive(rename(`k${i}`, `e${i}`, `Name${i}`), plan);
    await desk.receive({ ...rename('kb', 'eb', ''), type: 'BIRTH', child: { givenName: 'x', familyName: 'y' } }, plan);
    await desk.receive(rename('k7', 'e7', 'Name7'), plan);
    await desk.compact();
    expect(store.saves).toBeGreaterThanOrEqual(2);
    const left = (await readFile(`${file}.log`, 'utf8')).split('\n').filter(Boolean);
    expect(left.length).toBeLessThan(9);

    const again = await MemoryStore.load(file);
    const reopened = await LifeEventDesk.open(again, `${file}.log`);
    expect(again.rows()).toEqual(store.rows());
    expect(reopened.applied()).toEqual(desk.applied());
    expect(reopened.applied().find((e) => e.idempotencyKey === 'k7')!.received).toBe(2);
    await expect(reopened.receive(rename('k3', 'e3', 'Name3'), plan)).resolves.toMatchObject({
      outcome: 'already-applied',
    });
  });

  it('replays a log without any save: a desk opened on the first file finds every key', async () => {
    const store = await MemoryStore.load(file);
    const desk = await LifeEventDesk.open(store, `${file}.log`);
    await desk.receive(rename('k1', 'e1', 'Oak'), plan);
    await desk.receive({ ...rename('kb', 'eb', ''), type: 'BIRTH', child: { givenName: 'x', familyName: 'y' } }, plan);
    await desk.receive({ ...rename('kr', 'eb', ''), kind: 'RETRACTION', type: 'BIRTH' }, plan);
    expect(store.saves).toBe(0);
    const again = await MemoryStore.load(file);
    const reopened = await LifeEventDesk.open(again, `${file}.log`);
    expect(again.rows()).toEqual(store.rows());
    expect(again.get('child-eb')).toBeUndefined();
    expect(reopened.applied().find((e) => e.idempotencyKey === 'kb')!.retractedBy).toBe('kr');
  });
});
