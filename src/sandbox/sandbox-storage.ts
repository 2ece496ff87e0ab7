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
  private tail: Promise<void> = Promise.resolve();
  private buffer: string[] = [];
  private flush: Promise<void> | undefined;

  constructor(readonly file: string) {}

  append(line: unknown): Promise<void> {
    this.buffer.push(`${JSON.stringify(line)}\n`);
    this.flush ??= this.enqueue(async () => {
      this.flush = undefined;
      const lines = this.buffer;
      this.buffer = [];
      if (lines.length) await appendFile(this.file, lines.join(''), { mode: 0o600 });
    });
    return this.flush;
  }

  /** The lines written so far, up to the first that does not read (a torn write); none when there is no file. */
  async read(): Promise<unknown[]> {
    return (await this.scan()).lines;
  }

  /**
   * The lines, as `read`; a torn tail (a crash mid-write) is cut off first, so that the next line appended
   * starts on a line of its own.
   */
  async recover(): Promise<unknown[]> {
    const { lines, text, good } = await this.scan();
    if (good < text.length) await this.enqueue(() => writeFileAtomically(this.file, text.slice(0, good)));
    return lines;
  }

  /** The lines that read, and where they end in the text (`good`: past the last whole line). */
  private async scan(): Promise<{ lines: unknown[]; text: string; good: number }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], text: '', good: 0 };
      throw error;
    }
    const lines: unknown[] = [];
    let good = 0;
    while (good < text.length) {
      const end = text.indexOf('\n', good);
      if (end < 0) break;
      try {
        lines.push(JSON.parse(text.slice(good, end)));
      } catch {
        break;
      }
      good = end + 1;
    }
    return { lines, text, good };
  }

  /** Keeps only the lines `keep` wants (once the others are saved elsewhere), between two appends. */
  rewrite(keep: (line: unknown) => boolean): Promise<void> {
    return this.enqueue(async () => {
      const kept = (await this.read()).filter(keep);
      await writeFileAtomically(this.file, kept.map((line) => `${JSON.stringify(line)}\n`).join(''));
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
