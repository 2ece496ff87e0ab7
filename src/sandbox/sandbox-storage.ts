import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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

/**
 * An append-only file of JSON lines, appended in groups: lines appended while a write waits go in that write,
 * and each `append` resolves once its line is in the file. A line torn by a crash ends the log when read.
 */
export class AppendLog {
  private readonly writes = new WriteQueue();
  private buffer: string[] = [];

  constructor(readonly file: string) {}

  append(line: unknown): Promise<void> {
    this.buffer.push(`${JSON.stringify(line)}\n`);
    return this.writes.run(async () => {
      const lines = this.buffer;
      this.buffer = [];
      if (lines.length) await appendFile(this.file, lines.join(''), { mode: 0o600 });
    });
  }

  /** The lines written so far, up to the first that does not read (a torn write); none when there is no file. */
  async read(): Promise<unknown[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const lines: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        lines.push(JSON.parse(line));
      } catch {
        break;
      }
    }
    return lines;
  }

  /** Empties the file (once what it held is saved elsewhere). */
  clear(): Promise<void> {
    return this.writes.run(() => writeFile(this.file, '', { mode: 0o600 }));
  }
}
