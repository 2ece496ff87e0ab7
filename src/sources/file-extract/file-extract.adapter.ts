import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  FetchOptions,
  IdentityPage,
  ServiceRecord,
  SourceAdapter,
  SourceDescription,
  SourceHealth,
  SourceIdentityRecord,
} from '../source-adapter';
import { describeSource, SourceModule } from '../source-declaration';
import { AdapterContext, badResponse, decodeCursor, encodeCursor, SourceTransport } from '../source-transport';
import { ExtractMapping, parseExtractMapping } from './extract-mapping';
import { ExtractSnapshot, readExtract } from './extract-reader';

/**
 * Where a pass over an extract is. Mid-pass: the extract's version and the next row; at the end of a pass:
 * the version and the keys it held (deflated), from which the next pass tells which records were deleted.
 */
interface ExtractCursor {
  v: string;
  /** The next record to read in this pass; absent once the pass is complete. */
  o?: number;
  /** Mid-pass in an incremental pass: the keys of the extract before (deflated, base64url). */
  prev?: string;
  /** At the end of a pass: this extract's keys (deflated, base64url). */
  keys?: string;
}

/**
 * A source that shares a nightly CSV extract, dropped in a folder or fetched over HTTPS, described by a
 * mapping file (docs/sources.md). A full load reads the last extract; an incremental sync reads it only
 * when it is a new one, and reports deleted the records the previous extract held and this one does not.
 * Details are served from the last extract read (read again after `refreshSeconds`).
 */
export class FileExtractAdapter implements SourceAdapter {
  private cached?: { snapshot: ExtractSnapshot; digest: string; readAt: number };
  private reading?: Promise<ExtractSnapshot>;

  constructor(
    private readonly mapping: ExtractMapping,
    private readonly transport: SourceTransport | undefined,
    private readonly pageSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  describe(): SourceDescription {
    return describeSource(this.mapping.source);
  }

  async pullIdentities(cursor?: string): Promise<IdentityPage> {
    if (cursor === undefined) return this.page(await this.extract(true), 0);
    const at = decodeCursor<ExtractCursor>(this.id, cursor, (c) => typeof c.v === 'string');
    const snapshot = await this.extract(at.o === undefined || at.o === 0);
    if (at.o === undefined) {
      // A finished pass: nothing new until the extract is another one.
      if (snapshot.version === at.v) return { records: [], rejected: [], nextCursor: cursor, complete: true };
      return this.page(snapshot, 0, at.keys);
    }
    // The extract was replaced during a pass: the pass starts again on the new one.
    if (snapshot.version !== at.v) return this.page(snapshot, 0, at.prev);
    return this.page(snapshot, at.o, at.prev);
  }

  async fetchDetails(sourceKeys: readonly string[], _options?: FetchOptions): Promise<Map<string, ServiceRecord[]>> {
    const snapshot = await this.extract(false);
    const found = new Map<string, ServiceRecord[]>();
    for (const key of sourceKeys) {
      const record = snapshot.byKey.get(key);
      if (record && record.details.length > 0)
        found.set(
          key,
          record.details.map((d) => ({ ...d, fields: { ...d.fields } })),
        );
    }
    return found;
  }

  async health(): Promise<SourceHealth> {
    const started = this.now();
    try {
      const snapshot = await this.extract(false);
      return { status: 'up', latencyMs: this.now() - started, detail: `${snapshot.records.length} records` };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message, latencyMs: this.now() - started };
    }
  }

  private get id(): string {
    return this.mapping.source.id;
  }

  private page(snapshot: ExtractSnapshot, offset: number, previousKeys?: string): IdentityPage {
    const end = Math.min(offset + this.pageSize, snapshot.records.length);
    const records: SourceIdentityRecord[] = snapshot.records.slice(offset, end).map((r) => ({
      sourceKey: r.sourceKey,
      identity: r.identity,
      householdHints: [],
      ...(r.updatedAt ? { updatedAt: r.updatedAt } : {}),
      ...(r.issues.length > 0 ? { issues: r.issues } : {}),
    }));
    const complete = end >= snapshot.records.length;
    if (complete && previousKeys !== undefined) {
      for (const key of inflateKeys(previousKeys))
        if (!snapshot.byKey.has(key)) records.push({ sourceKey: key, identity: {}, householdHints: [], deleted: true });
    }
    const next: ExtractCursor = complete
      ? { v: snapshot.version, keys: deflateKeys(snapshot.records.map((r) => r.sourceKey)) }
      : { v: snapshot.version, o: end, ...(previousKeys !== undefined ? { prev: previousKeys } : {}) };
    return {
      records,
      // Rows set aside are reported once per pass, with its first page.
      rejected: offset === 0 ? snapshot.rejected : [],
      nextCursor: encodeCursor(next),
      complete,
      total: snapshot.records.length,
    };
  }

  /** The last extract: read now (`fresh`), or the one read within `refreshSeconds`. One read at a time. */
  private extract(fresh: boolean): Promise<ExtractSnapshot> {
    const cached = this.cached;
    if (!fresh && cached && this.now() - cached.readAt < this.mapping.refreshSeconds * 1000)
      return Promise.resolve(cached.snapshot);
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<ExtractSnapshot> {
    const text = await this.fetchText();
    const digest = createHash('sha256').update(text).digest('hex');
    const snapshot =
      this.cached && this.cached.digest === digest ? this.cached.snapshot : readExtract(text, this.mapping);
    this.cached = { snapshot, digest, readAt: this.now() };
    return snapshot;
  }

  private async fetchText(): Promise<string> {
    const extract = this.mapping.extract;
    if ('path' in extract) {
      if (!this.transport?.getText) throw badResponse(this.id, 'the transport cannot fetch a text extract');
      return this.transport.getText(extract.path);
    }
    const pattern = new RegExp(extract.pattern);
    let names: string[];
    try {
      names = (await readdir(extract.folder)).filter((name) => pattern.test(name));
    } catch (error) {
      throw badResponse(this.id, `cannot read the extract folder (${(error as NodeJS.ErrnoException).code})`);
    }
    if (names.length === 0) throw badResponse(this.id, 'no extract in the folder yet');
    const dated = await Promise.all(
      names.map(async (name) => ({ name, at: (await stat(join(extract.folder, name))).mtimeMs })),
    );
    const newest = dated.sort((a, b) => b.at - a.at || b.name.localeCompare(a.name))[0];
    return readFile(join(extract.folder, newest.name), 'utf8');
  }
}

function deflateKeys(keys: readonly string[]): string {
  return deflateRawSync(Buffer.from(keys.join('\n'))).toString('base64url');
}

function inflateKeys(packed: string): string[] {
  const text = inflateRawSync(Buffer.from(packed, 'base64url')).toString('utf8');
  return text ? text.split('\n') : [];
}

/**
 * A source module made of a mapping file alone: its declaration is the mapping's `source`, its adapter the
 * file extract adapter. `origin` names the mapping in start-up errors.
 */
export function fileExtractSource<Sandbox>(
  rawMapping: unknown,
  origin: string,
  sandbox?: Sandbox,
): SourceModule<Sandbox> {
  const mapping = parseExtractMapping(rawMapping, origin);
  return {
    declaration: mapping.source,
    createAdapter: (context: AdapterContext) => new FileExtractAdapter(mapping, context.transport, context.pageSize),
    ...(sandbox ? { sandbox } : {}),
  };
}
