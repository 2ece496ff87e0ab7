import { HubException } from '../common/hub-exception';
import { LifeEventNoticeRefused, LifeEventReceipt, SourceHealth } from './source-adapter';

/**
 * How an adapter reaches its source system. The hub builds one per source from the sources configuration
 * (base URL, credentials, timeout, retry), so adapters only know their source's paths and shapes. Part of
 * the port: adapters in `modules/*` import it.
 */
export interface SourceTransport {
  /** An idempotent GET; retried with backoff on timeouts, network errors, 429 and 5xx. */
  getJson(path: string, query?: QueryParams, options?: RequestOptions): Promise<unknown>;
  /** An idempotent GET of a text body (a CSV extract), retried as `getJson`. */
  getText?(path: string, query?: QueryParams, options?: RequestOptions): Promise<string>;
  /**
   * A POST. Retried only when `idempotent` is true: a read that sends its keys in the body (a batch lookup)
   * is safe to repeat; a write is not.
   */
  postJson(path: string, body: unknown, options?: RequestOptions & { idempotent?: boolean }): Promise<unknown>;
}

export type QueryParams = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RequestOptions {
  signal?: AbortSignal;
  requestId?: string;
  /** See FetchOptions.onDispatch. */
  onDispatch?: () => void;
}

/** What an adapter is given to build itself. */
export interface AdapterContext {
  transport: SourceTransport;
  /** Records per page the source should be asked for. */
  pageSize: number;
}

export enum SourceErrorCode {
  /** The source answered with an error status (after retries). */
  SOURCE_HTTP_ERROR = 'SOURCE_HTTP_ERROR',
  SOURCE_TIMEOUT = 'SOURCE_TIMEOUT',
  SOURCE_UNREACHABLE = 'SOURCE_UNREACHABLE',
  /** The body was not JSON. */
  SOURCE_NOT_JSON = 'SOURCE_NOT_JSON',
  /** JSON, but not the shape the adapter expects of this source. */
  SOURCE_BAD_RESPONSE = 'SOURCE_BAD_RESPONSE',
  SOURCE_UNKNOWN = 'SOURCE_UNKNOWN',
}

/** A source could not give a usable answer. Messages name the source and never carry personal data. */
export class SourceException extends HubException<SourceErrorCode> {
  constructor(
    code: SourceErrorCode,
    readonly source: string,
    message: string,
    readonly status?: number,
    /** The start of the body, for the quarantine record (kept out of client responses). */
    readonly bodyExcerpt?: string,
  ) {
    super(code, `${source}: ${message}`, { source, ...(status ? { status } : {}) });
  }

  get httpStatus(): number {
    return this.code === SourceErrorCode.SOURCE_UNKNOWN ? 404 : 502;
  }

  /** Whether repeating the same idempotent request may succeed. */
  get transient(): boolean {
    if (this.code === SourceErrorCode.SOURCE_TIMEOUT || this.code === SourceErrorCode.SOURCE_UNREACHABLE) return true;
    return this.code === SourceErrorCode.SOURCE_HTTP_ERROR && (this.status === 429 || (this.status ?? 0) >= 500);
  }
}

/** For adapters: a page or answer that is JSON but not the expected shape. */
export function badResponse(source: string, what: string): SourceException {
  return new SourceException(SourceErrorCode.SOURCE_BAD_RESPONSE, source, `unexpected response: ${what}`);
}

/**
 * For adapters: a source's status endpoint as a SourceHealth. `isUp` reads the source's own answer; a
 * failed call is `down` with the reason, never an exception (a health check reports, it does not throw).
 */
export async function probeHealth(
  call: () => Promise<unknown>,
  isUp: (body: unknown) => boolean,
  downDetail: string,
): Promise<SourceHealth> {
  const started = Date.now();
  try {
    const body = await call();
    return isUp(body) ? { status: 'up', latencyMs: Date.now() - started } : { status: 'down', detail: downDetail };
  } catch (error) {
    return { status: 'down', detail: (error as Error).message, latencyMs: Date.now() - started };
  }
}

/** For adapters: an adapter's own position in a source, as the opaque cursor the sync stores. */
export function encodeCursor(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Reads a cursor made by `encodeCursor`; `isValid` checks its shape. A stranger's cursor is an error. */
export function decodeCursor<T>(source: string, cursor: string, isValid: (value: T) => boolean): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (value && typeof value === 'object' && isValid(value)) return value;
  } catch {
    // reported below
  }
  throw new Error(`${source}: cursor not recognised: ${cursor.slice(0, 40)}`);
}

/** Statuses that say nothing against the notice itself: credentials (fixed in configuration), a timeout, a throttle. */
const retryableClientStatuses = new Set([401, 403, 408, 425, 429]);

/**
 * For adapters' `notify()`: a source's 4xx answer to a notice (it read the notice and refused it) becomes
 * `LifeEventNoticeRefused`, which the hub does not retry; 401, 403, 408, 425 and 429 and everything else
 * (5xx, timeouts, unreachable, a body that is not JSON) are thrown as they are, to be retried. `code` is the
 * source's own error code, if it gave a short one; the source's message is not kept (it may quote values).
 */
export function refusedOrRethrown(error: unknown): never {
  if (
    error instanceof SourceException &&
    error.code === SourceErrorCode.SOURCE_HTTP_ERROR &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    !retryableClientStatuses.has(error.status)
  ) {
    const code = errorCodeIn(error.bodyExcerpt);
    throw new LifeEventNoticeRefused(
      `${error.source} refused the notice: HTTP ${error.status}${code ? ` (${code})` : ''}`,
    );
  }
  throw error;
}

/** A short error code from a JSON error body (`error`, `code`), or undefined. */
function errorCodeIn(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: unknown; code?: unknown };
    const code = typeof parsed.error === 'string' ? parsed.error : parsed.code;
    return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For adapters' `notify()`: the receipt from the source's answer. `words` maps the source's own words for
 * the outcome to the hub's; an answer without one of them is a bad response (thrown, so retried). `detail`
 * is kept when it is a string, cut to 200 characters.
 */
export function lifeEventReceipt(
  source: string,
  words: Readonly<Record<string, LifeEventReceipt['outcome']>>,
  said: unknown,
  detail: unknown,
): LifeEventReceipt {
  const outcome = typeof said === 'string' && Object.hasOwn(words, said) ? words[said] : undefined;
  if (!outcome) throw badResponse(source, `a life event answer needs one of ${Object.keys(words).join(', ')}`);
  return typeof detail === 'string' && detail !== '' ? { outcome, detail: detail.slice(0, 200) } : { outcome };
}
