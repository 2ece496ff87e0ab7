import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Reads a sandbox's JSON storage file. */
export async function readJsonFile<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export async function writeJsonFile(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(data), { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * Serialises writes of one store so that two mutations never interleave their files. A store's save writes
 * its whole state as it is when the write starts, so saves asked for while one is waiting to start share
 * it (group commit): each caller's change is on disk when its promise resolves, and a burst of changes
 * costs two writes, not one per change.
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;

  run(work: () => Promise<void>): Promise<void> {
    if (this.waiting) return this.waiting;
    const start = () => {
      this.waiting = undefined;
      return work();
    };
    const next = this.tail.then(start, start);
    this.waiting = next;
    this.tail = next.catch(() => undefined);
    return next;
  }
}
