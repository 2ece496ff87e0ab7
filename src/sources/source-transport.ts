import { HubException } from '../common/hub-exception';
import { SourceHealth } from './source-adapter';

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
