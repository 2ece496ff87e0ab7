import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Borough } from './borough-model';
import { AppendLog } from './sandbox-storage';

/**
 * The plumbing the three sandbox source systems share: an HTTP server on loopback, credentials, latency
 * and failures on demand, and the admin endpoints. Each module's sandbox supplies its own API (paths,
 * shapes, pagination) and its own storage. Shared types: `modules/*` import this file.
 */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface SandboxResponse {
  status: number;
  body: unknown;
  /** Set for a body sent as it is (a string: a CSV extract); otherwise the body is sent as JSON. */
  contentType?: string;
}

/** `500`: an error status; `garbage`: 200 with a body that is not JSON; `timeout`: no answer at all. */
export type FailureMode = '500' | 'garbage' | 'timeout';

export interface FailurePlan {
  mode: FailureMode;
  /** Fail this many requests, then answer normally again; unset: until cleared. */
  count?: number;
  /** Let this many requests through first. */
  after?: number;
  /** Only requests whose path starts with this. */
  path?: string;
}

export interface SandboxServerOptions {
  name: string;
  host?: string;
  port?: number;
  /** Whether the request carries this sandbox's credentials. */
  authorise(headers: IncomingHttpHeaders): boolean;
  handle(request: SandboxRequest): Promise<SandboxResponse | undefined> | SandboxResponse | undefined;
  /** `POST /_sandbox/records`: add, change or delete a record in the sandbox's own shape. */
  mutate(body: unknown): Promise<SandboxResponse> | SandboxResponse;
  /** `GET /_sandbox/life-events`: the life events this sandbox has been told, for tests (LifeEventDesk). */
  lifeEvents?(): AppliedLifeEvent[];
  latencyMs?: number;
  failure?: FailurePlan;
}

export interface RunningSandbox {
  id: string;
  url: string;
  /** Headers that authenticate to this sandbox, as a sources configuration would set them. */
  authHeaders: Record<string, string>;
  setFailure(plan: FailurePlan | undefined): void;
  setLatency(ms: number): void;
  /** API requests answered so far (admin requests not counted). */
  readonly requests: number;
  /** The life events told to this sandbox and what it did with each (as `GET /_sandbox/life-events`). */
  lifeEvents(): AppliedLifeEvent[];
  close(): Promise<void>;
}

export interface SandboxStartOptions {
  /** The sandbox's own storage file (created from the borough by `fromBorough`). */
  dataFile: string;
  /** The credential this run accepts (an API key, password or token, as the sandbox's scheme uses it). */
  secret: string;
  host?: string;
  port?: number;
  latencyMs?: number;
  failure?: FailurePlan;
}

/** What each module's sandbox exports for the launcher. */
export interface SandboxDefinition {
  id: string;
  /** The sandbox's stored data, in its own shape, for its part of the borough. */
  fromBorough(borough: Borough): unknown;
  /**
   * Which of its records is which borough person, for the ground truth, when the sandbox makes its records
   * itself (rather than from the borough's `housing`, `benefits` or `socialCare` views).
   */
  truth?(borough: Borough): { sourceKey: string; personId: string }[];
  start(options: SandboxStartOptions): Promise<RunningSandbox>;
}

const maxBody = 5 * 1024 * 1024;

/**
 * Starts a module's sandbox with the run's options: requests must carry `credential.header` with exactly
 * `credential.value` (the sandbox's own scheme: an API key, Basic or Bearer), and the launcher is told the
 * same header to configure the hub with.
 */
export function serveSandbox(
  name: string,
  options: SandboxStartOptions,
  credential: { header: string; value: string },
  handlers: Pick<SandboxServerOptions, 'handle' | 'mutate' | 'lifeEvents'>,
): Promise<RunningSandbox> {
  const header = credential.header.toLowerCase();
  return startSandboxServer(
    {
      name,
      host: options.host,
      port: options.port,
      latencyMs: options.latencyMs,
      failure: options.failure,
      authorise: (headers) => sameSecret(headers[header] as string | undefined, credential.value),
      ...handlers,
    },
    { [header]: credential.value },
  );
}

export async function startSandboxServer(
  options: SandboxServerOptions,
  authHeaders: Record<string, string>,
): Promise<RunningSandbox> {
  let latency = options.latencyMs ?? 0;
  let failure = options.failure ? { ...options.failure, seen: 0, failed: 0 } : undefined;
  let requests = 0;

  const server: Server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => send(res, 500, { error: 'internal', message: String(error) }));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (!options.authorise(req.headers)) return send(res, 401, { error: 'unauthorised' });
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (error) {
      return send(res, 400, { error: 'bad-request', message: (error as Error).message });
    }
    if (url.pathname.startsWith('/_sandbox/')) return admin(req.method ?? 'GET', url.pathname, body, res);
    requests += 1;
    // A source "answering in N ms" answers N ms after the request arrived: its own work is part of the N.
    const delay = Math.min(Number(url.searchParams.get('latencyMs') ?? latency), 60_000);
    const answerAt = async () => {
      const wait = delay - (performance.now() - arrived);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    };
    const requested = String(req.headers['x-sandbox-fail'] ?? '') as FailureMode | '';
    const mode = requested || planned(url.pathname);
    if (mode === 'timeout') return; // the socket stays open until the client gives up or the server closes
    if (mode === 'garbage') {
      await answerAt();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html><body>502 Bad Gateway (proxy)</body></html>');
      return;
    }
    if (mode === '500') {
      await answerAt();
      return send(res, 500, { error: 'internal', message: 'injected failure' });
    }
    const query = url.searchParams;
    const answer = await options.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: req.headers,
      body,
    });
    await answerAt();
    if (!answer) return send(res, 404, { error: 'not-found' });
    if (answer.contentType) return sendText(res, answer.status, answer.contentType, String(answer.body));
    send(res, answer.status, answer.body);
  }

  function planned(path: string): FailureMode | undefined {
    if (!failure || (failure.path && !path.startsWith(failure.path))) return undefined;
    failure.seen += 1;
    if (failure.seen <= (failure.after ?? 0)) return undefined;
    if (failure.count !== undefined && failure.failed >= failure.count) return undefined;
    failure.failed += 1;
    return failure.mode;
  }

  async function admin(method: string, path: string, body: unknown, res: ServerResponse): Promise<void> {
    if (path === '/_sandbox/failures' && method === 'POST') {
      const plan = body as FailurePlan;
      if (!plan || !['500', 'garbage', 'timeout'].includes(plan.mode))
        return send(res, 400, { error: 'mode must be 500, garbage or timeout' });
      failure = { ...plan, seen: 0, failed: 0 };
      return send(res, 200, { failure });
    }
    if (path === '/_sandbox/failures' && method === 'DELETE') {
      failure = undefined;
      return send(res, 200, { failure: null });
    }
    if (path === '/_sandbox/latency' && method === 'POST') {
      latency = Math.max(0, Number((body as { ms?: number })?.ms ?? 0));
      return send(res, 200, { latencyMs: latency });
    }
    if (path === '/_sandbox/records' && method === 'POST') {
      const answer = await options.mutate(body);
      return send(res, answer.status, answer.body);
    }
    if (path === '/_sandbox/life-events' && method === 'GET') {
      return send(res, 200, { applied: options.lifeEvents?.() ?? [] });
    }
    send(res, 404, { error: 'not-found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    id: options.name,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    authHeaders,
    setFailure: (plan) => (failure = plan ? { ...plan, seen: 0, failed: 0 } : undefined),
    setLatency: (ms) => (latency = ms),
    get requests() {
      return requests;
    },
    lifeEvents: () => options.lifeEvents?.() ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Error('body is not JSON');
  }
}

/** Constant-time comparison of a presented credential with the expected one. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Clamps a page-size query parameter. */
export function pageSizeOf(value: string | null, fallback: number, max = 1000): number {
  const n = Number(value ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** A sandbox's store, as tests change it the way the real system's data would change. */
export interface MutableStore {
  upsert(record: Record<string, unknown>): unknown;
  patch(key: string, changes: Record<string, unknown>): unknown;
  remove(key: string): boolean;
  save(): Promise<void>;
}

/**
 * A test's change to a sandbox's data (`POST /_sandbox/mutate`): `{op: "upsert", record}` (a record in the
 * source's own shape), `{op: "patch", key, changes}` or `{op: "delete", key}` (key: the source's own key).
 */
export async function applyMutation(store: MutableStore, body: unknown): Promise<SandboxResponse> {
  const { op, key, record, changes } = (body ?? {}) as {
    op?: string;
    key?: string;
    record?: Record<string, unknown>;
    changes?: Record<string, unknown>;
  };
  let result: unknown;
  if (op === 'upsert' && record && typeof record === 'object') result = store.upsert(record);
  else if (op === 'patch' && key && changes) result = store.patch(key, changes);
  else if (op === 'delete' && key) result = store.remove(key) || undefined;
  else
    return {
      status: 400,
      body: { error: 'expected {op: upsert, record} | {op: patch, key, changes} | {op: delete, key}' },
    };
  if (result === undefined) return { status: 404, body: { error: 'no such record' } };
  await store.save();
  return { status: 200, body: { ok: true, record: result } };
}

/**
 * The records life events change, by key (a store may give keys to more than its feed's records: benefits
 * `claim:<ref>`, social care `involvement:<person>:<case>`). Every change stamps the record as changed, so
 * the identity feed (incremental sync) shows it as any other change.
 */
export interface JournalledStore {
  /** A current (not deleted) record. */
  get(key: string): object | undefined;
  /** Sets top-level fields (each replaced whole). */
  set(key: string, fields: Record<string, unknown>): void;
  add(key: string, record: Record<string, unknown>): void;
  /** Deletes as the system does (a tombstone where its feed has them). */
  remove(key: string): boolean;
  /** The record as stored, tombstone or not (undefined: none), for the desk's log. */
  raw(key: string): unknown;
  /** Puts back a record as `raw` gave it (change stamps included), when the desk replays its log. */
  restore(key: string, raw: unknown): void;
  /** Writes the records with `lifeEvents` and `lifeEventSeq` (a snapshot of everything in memory). */
  save(): Promise<void>;
  /** The desk's journal, kept in the store's data. */
  readonly lifeEvents: AppliedLifeEvent[];
  /** The last desk log line the store's data includes; the store saves it with its data. */
  lifeEventSeq: number;
}

/** A line of the desk's log: a new key (its journal entry and the records it changed, as stored), or a repeat. */
interface DeskLogLine {
  seq: number;
  entry?: AppliedLifeEvent;
  records?: [string, unknown][];
  repeat?: string;
}

export type SandboxLifeEventType = 'DEATH' | 'BIRTH' | 'CHANGE_OF_ADDRESS' | 'CHANGE_OF_NAME';
export const sandboxLifeEventTypes: readonly SandboxLifeEventType[] = [
  'DEATH',
  'BIRTH',
  'CHANGE_OF_ADDRESS',
  'CHANGE_OF_NAME',
];

/**
 * A life event as a sandbox takes it, once the sandbox has read its own API's shape (its field names, its
 * date format) into this one: dates ISO `yyyy-mm-dd`, `subjects` the sandbox's own record keys.
 */
export interface SandboxLifeEvent {
  /** The sender's idempotency key: a key is applied once. */
  key: string;
  kind: 'NOTICE' | 'RETRACTION';
  eventId: string;
  type: SandboxLifeEventType;
  subjects: string[];
  date?: string;
  newAddress?: { lines: string[]; postcode: string; uprn?: string };
  newName?: { givenName?: string; middleNames?: string; familyName?: string };
  child?: { givenName: string; familyName: string; sex?: 'F' | 'M' | 'X'; dateOfBirth?: string };
}

/** One change a notice makes: fields set on a record (top-level fields, replaced whole), or a record added. */
export type LifeEventEdit =
  { key: string; set: Record<string, unknown> } | { key: string; add: Record<string, unknown> };

/** What a sandbox's own rules make of a notice, against its current records. */
export interface LifeEventPlan {
  outcome: 'applied' | 'nothing-to-do';
  /** In the system's words, without personal data: a tenancy, application or claim reference at most. */
  detail: string;
  edits: LifeEventEdit[];
}

/** What one change did, so that a retraction can undo it. */
export interface RecordChange {
  key: string;
  /** The record was added by the notice (a retraction removes it). */
  added?: boolean;
  /** Field values before and after (null: absent). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** One idempotency key a sandbox was told, and what it did: kept with its records (`lifeEvents` in its file). */
export interface AppliedLifeEvent {
  idempotencyKey: string;
  kind: 'NOTICE' | 'RETRACTION';
  eventId: string;
  type: SandboxLifeEventType;
  outcome: 'applied' | 'nothing-to-do';
  detail: string;
  appliedAt: string;
  /** How many times the key arrived (the first time and every repeat). */
  received: number;
  /** The notice's content (hash): the same key with other content is refused. */
  fingerprint: string;
  /** For a NOTICE: the key of the retraction that undid it. */
  retractedBy?: string;
  changes: RecordChange[];
}

export type LifeEventAnswer =
  { outcome: 'applied' | 'already-applied' | 'nothing-to-do'; detail: string } | { conflict: string };

/**
 * Life events told to a sandbox, applied as its real system would and once per idempotency key: the
 * sandbox reads its API's shape into a `SandboxLifeEvent` and gives its own rules (`plan`); the desk applies
 * the plan through the store (so the records' change stamps move and the identity feed shows the change),
 * remembers each key with what it changed, answers a repeat `already-applied` without changing anything,
 * undoes a notice when its retraction comes. Before it answers, it appends one line to its log (next to
 * the store's file): the journal entry with the records it changed, as stored; a line is written whole or
 * not at all, so a sandbox killed mid-way has applied a key wholly or not at all. At start the log is
 * replayed onto the store's last saved data; every `compactEvery` lines the store is saved whole and the
 * lines it then holds leave the log. (Saving the whole store for each notice cost more with every notice
 * kept.)
 */
export class LifeEventDesk {
  private readonly byKey = new Map<string, AppliedLifeEvent>();
  /** eventId → the NOTICE applied for it; eventId → the RETRACTION received for it. */
  private readonly notices = new Map<string, AppliedLifeEvent>();
  private readonly retractions = new Map<string, AppliedLifeEvent>();
  private readonly journal: AppliedLifeEvent[];
  private readonly log: AppendLog;
  private sinceCompaction = 0;
  private compaction: Promise<void> | undefined;

  private constructor(
    private readonly store: JournalledStore,
    logFile: string,
    private readonly compactEvery: number,
  ) {
    this.journal = store.lifeEvents;
    this.log = new AppendLog(logFile);
    for (const entry of this.journal) this.index(entry);
  }

  /**
   * The desk of a store, its log (`logFile`) replayed onto it in memory. Nothing is written until a notice
   * comes (a process that only reads the sandbox's files, as the CLI's sync, never writes them), except a
   * torn last line, cut off.
   */
  static async open(
    store: JournalledStore,
    logFile: string,
    options: { compactEvery?: number } = {},
  ): Promise<LifeEventDesk> {
    const desk = new LifeEventDesk(store, logFile, options.compactEvery ?? 5000);
    for (const line of (await desk.log.recover()) as DeskLogLine[]) {
      if (!(line.seq > store.lifeEventSeq)) continue;
      desk.replay(line);
      desk.sinceCompaction += 1;
    }
    return desk;
  }

  /**
   * Saves the store (a snapshot with everything in memory, `lifeEventSeq` included) and drops the log's lines
   * it holds. Runs beside the notices: lines appended meanwhile are kept; a failure leaves the log whole.
   * Called during a compaction, it waits for it and compacts again.
   */
  async compact(): Promise<void> {
    while (this.compaction) await this.compaction;
    this.compaction = this.compactNow().finally(() => (this.compaction = undefined));
    return this.compaction;
  }

  private async compactNow(): Promise<void> {
    this.sinceCompaction = 0;
    try {
      const upTo = this.store.lifeEventSeq;
      await this.store.save();
      await this.log.rewrite((line) => (line as DeskLogLine).seq > upTo);
    } catch {
      // The log stays whole: replayed in full at the next start.
    }
  }

  private replay(line: DeskLogLine): void {
    this.store.lifeEventSeq = line.seq;
    if (line.repeat) {
      const seen = this.byKey.get(line.repeat);
      if (seen) seen.received += 1;
      return;
    }
    if (!line.entry || this.byKey.has(line.entry.idempotencyKey)) return;
    for (const [key, raw] of line.records ?? []) this.store.restore(key, raw);
    const entry = line.entry;
    if (entry.kind === 'RETRACTION') {
      const notice = this.notices.get(entry.eventId);
      if (notice && !notice.retractedBy) notice.retractedBy = entry.idempotencyKey;
    }
    this.journal.push(entry);
    this.index(entry);
  }

  private append(line: Omit<DeskLogLine, 'seq'>): Promise<void> {
    this.store.lifeEventSeq += 1;
    const written = this.log.append({ seq: this.store.lifeEventSeq, ...line });
    this.sinceCompaction += 1;
    if (this.sinceCompaction >= this.compactEvery && !this.compaction)
      void written.then(
        () => this.compact(),
        () => undefined,
      );
    return written;
  }

  applied(): AppliedLifeEvent[] {
    return this.journal.map((entry) => structuredClone(entry));
  }

  async receive(event: SandboxLifeEvent, plan: (event: SandboxLifeEvent) => LifeEventPlan): Promise<LifeEventAnswer> {
    const fingerprint = fingerprintOf(event);
    const seen = this.byKey.get(event.key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) return { conflict: 'this idempotency key was used for a different notice' };
      seen.received += 1;
      // Behind the first line of this key in the log: answered once that is written.
      await this.append({ repeat: event.key });
      return { outcome: 'already-applied', detail: seen.detail };
    }
    const entry: AppliedLifeEvent = {
      idempotencyKey: event.key,
      kind: event.kind,
      eventId: event.eventId,
      type: event.type,
      outcome: 'nothing-to-do',
      detail: '',
      appliedAt: new Date().toISOString(),
      received: 1,
      fingerprint,
      changes: [],
    };
    const touched = new Set<string>();
    if (event.kind === 'NOTICE') this.notice(event, entry, plan, touched);
    else this.retraction(event, entry, touched);
    this.journal.push(entry);
    this.index(entry);
    const records = [...touched].map((key): [string, unknown] => [key, structuredClone(this.store.raw(key))]);
    await this.append({ entry, records });
    return { outcome: entry.outcome, detail: entry.detail };
  }

  private notice(
    event: SandboxLifeEvent,
    entry: AppliedLifeEvent,
    plan: (event: SandboxLifeEvent) => LifeEventPlan,
    touched: Set<string>,
  ) {
    if (this.retractions.has(event.eventId)) {
      entry.detail = 'the event was retracted before its notice came: nothing applied';
      return;
    }
    const earlier = this.notices.get(event.eventId);
    if (earlier) {
      entry.detail = `the event was applied already (${earlier.detail})`;
      return;
    }
    const planned = plan(event);
    entry.outcome = planned.outcome;
    entry.detail = planned.detail;
    if (planned.outcome === 'applied') entry.changes = this.apply(planned.edits);
    for (const change of entry.changes) touched.add(change.key);
  }

  private retraction(event: SandboxLifeEvent, entry: AppliedLifeEvent, touched: Set<string>) {
    const notice = this.notices.get(event.eventId);
    if (!notice) {
      entry.detail = 'no notice of this event was applied: nothing to undo';
      return;
    }
    if (notice.retractedBy) {
      entry.detail = 'the event was retracted already';
      return;
    }
    notice.retractedBy = event.key;
    if (notice.outcome !== 'applied' || notice.changes.length === 0) {
      entry.detail = 'its notice changed nothing: nothing to undo';
      return;
    }
    const kept = this.undo(notice.changes);
    for (const change of notice.changes) touched.add(change.key);
    entry.outcome = 'applied';
    entry.detail = `undone: ${notice.detail}${kept ? ` (${kept} field(s) changed since were kept)` : ''}`;
  }

  private apply(edits: readonly LifeEventEdit[]): RecordChange[] {
    const changes: RecordChange[] = [];
    for (const edit of edits) {
      if ('add' in edit) {
        this.store.add(edit.key, structuredClone(edit.add));
        changes.push({ key: edit.key, added: true, before: {}, after: {} });
        continue;
      }
      const current = this.store.get(edit.key) as Record<string, unknown> | undefined;
      if (!current) continue;
      const before: Record<string, unknown> = {};
      for (const field of Object.keys(edit.set)) before[field] = structuredClone(current[field] ?? null);
      this.store.set(edit.key, structuredClone(edit.set));
      changes.push({ key: edit.key, before, after: structuredClone(edit.set) });
    }
    return changes;
  }

  /** Undoes changes newest first; a field changed again since keeps its later value. Returns how many were kept. */
  private undo(changes: readonly RecordChange[]): number {
    let kept = 0;
    for (const change of changes.toReversed()) {
      const current = this.store.get(change.key) as Record<string, unknown> | undefined;
      if (!current) continue;
      if (change.added) {
        this.store.remove(change.key);
        continue;
      }
      const restore: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(change.after)) {
        if (sameValue(current[field] ?? null, value)) restore[field] = change.before[field];
        else kept += 1;
      }
      if (Object.keys(restore).length) this.store.set(change.key, restore);
    }
    return kept;
  }

  private index(entry: AppliedLifeEvent): void {
    this.byKey.set(entry.idempotencyKey, entry);
    if (entry.kind === 'NOTICE' && !this.notices.has(entry.eventId)) this.notices.set(entry.eventId, entry);
    if (entry.kind === 'RETRACTION' && !this.retractions.has(entry.eventId)) this.retractions.set(entry.eventId, entry);
  }
}

function fingerprintOf(event: SandboxLifeEvent): string {
  return createHash('sha256').update(canonical(event)).digest('base64url');
}

/** JSON with object keys sorted, so that the same content always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Whether `value` is a real ISO `yyyy-mm-dd` date. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** `lifeEventProblems`' messages (`field: what`) with each field named as the source's own API names it. */
export function inWireNames(problems: readonly string[], names: Readonly<Record<string, string>>): string[] {
  return problems.map((problem) => {
    const [field, ...rest] = problem.split(':');
    return `${names[field] ?? field}:${rest.join(':')}`;
  });
}

/**
 * What is wrong with a life event as read from a sandbox's API (empty: nothing), in field terms the sandbox
 * maps back to its own names. A sandbox adds its own requirements (benefits needs a new address for a move,
 * housing the child for a birth).
 */
export function lifeEventProblems(event: Partial<SandboxLifeEvent>): string[] {
  const problems: string[] = [];
  const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  if (!text(event.key) || event.key!.length > 200) problems.push('key: required, up to 200 characters');
  if (event.kind !== 'NOTICE' && event.kind !== 'RETRACTION') problems.push('kind: NOTICE or RETRACTION');
  if (!text(event.eventId) || event.eventId!.length > 200) problems.push('eventId: required, up to 200 characters');
  if (!sandboxLifeEventTypes.includes(event.type as SandboxLifeEventType))
    problems.push(`type: one of ${sandboxLifeEventTypes.join(', ')}`);
  if (
    !Array.isArray(event.subjects) ||
    event.subjects.length === 0 ||
    event.subjects.length > 20 ||
    !event.subjects.every(text)
  )
    problems.push('subjects: 1 to 20 record keys');
  if (event.date !== undefined && !isIsoDate(event.date)) problems.push('date: not a date');
  if (event.kind !== 'NOTICE') return problems;
  if (event.newAddress !== undefined) {
    const a = event.newAddress;
    if (!a || !Array.isArray(a.lines) || a.lines.length === 0 || !a.lines.every(text) || !text(a.postcode))
      problems.push('newAddress: lines and postcode required');
  }
  if (event.type === 'CHANGE_OF_NAME') {
    const n = event.newName;
    if (!n || ![n.givenName, n.middleNames, n.familyName].some(text))
      problems.push('newName: required for a name change');
  }
  if (event.child !== undefined) {
    const c = event.child;
    if (!c || !text(c.givenName) || !text(c.familyName)) problems.push('child: given and family name required');
    else if (c.dateOfBirth !== undefined && !isIsoDate(c.dateOfBirth)) problems.push('child.dateOfBirth: not a date');
  }
  return problems;
}
