import { ExponentialBackoff, handleWhen, IPolicy, noop, retry } from 'cockatiel';
import { Agent, request } from 'undici';
import { inSpan } from '../metrics/hub-tracing';
import { QueryParams, RequestOptions, SourceErrorCode, SourceException, SourceTransport } from './source-transport';
import { SourceConnection } from './sources-config';

const excerptLength = 200;

/**
 * The connection pool of every source transport in this process: keep-alive connections per origin (idle
 * ones do not keep the process alive). Ours, not the global dispatcher, which Node's built-in fetch may
 * have set to its own (older) copy of undici.
 */
const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

/**
 * HTTP/JSON to one source: base URL, credential headers, a timeout per attempt, and retry with exponential
 * backoff for idempotent reads on what may pass (timeouts, network errors, 429, 5xx). A body that is not
 * JSON or a 4xx is not retried: asking again would get the same answer.
 */
export class HttpSourceTransport implements SourceTransport {
  private readonly retryPolicy: IPolicy;

  constructor(private readonly connection: SourceConnection) {
    const { maxAttempts, initialDelayMs, maxDelayMs } = connection.retry;
    this.retryPolicy =
      maxAttempts > 1
        ? retry(
            handleWhen((error) => error instanceof SourceException && error.transient),
            {
              maxAttempts: maxAttempts - 1,
              backoff: new ExponentialBackoff({ initialDelay: initialDelayMs, maxDelay: maxDelayMs }),
            },
          )
        : noop;
  }

  getJson(path: string, query?: QueryParams, options: RequestOptions = {}): Promise<unknown> {
    return this.retryPolicy.execute(
      ({ signal }) => this.send('GET', this.url(path, query), undefined, options, signal),
      options.signal,
    );
  }

  getText(path: string, query?: QueryParams, options: RequestOptions = {}): Promise<string> {
    return this.retryPolicy.execute(
      ({ signal }) => this.send('GET', this.url(path, query), undefined, options, signal, 'text') as Promise<string>,
      options.signal,
    );
  }

  postJson(path: string, body: unknown, options: RequestOptions & { idempotent?: boolean } = {}): Promise<unknown> {
    const url = this.url(path);
    if (!options.idempotent) return this.send('POST', url, body, options);
    return this.retryPolicy.execute(({ signal }) => this.send('POST', url, body, options, signal), options.signal);
  }

  private url(path: string, query?: QueryParams): string {
    const url = new URL(this.connection.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, item);
      else url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** One attempt, one span: a trace shows the retries. The source and method only (paths and queries can hold keys). */
  private send(
    method: string,
    url: string,
    body: unknown,
    options: RequestOptions,
    retrySignal?: AbortSignal,
    answer: 'json' | 'text' = 'json',
  ): Promise<unknown> {
    return inSpan('source.http', { 'hub.source': this.connection.id, 'http.request.method': method }, () =>
      this.attempt(method, url, body, options, retrySignal, answer),
    );
  }

  private async attempt(
    method: string,
    url: string,
    body: unknown,
    options: RequestOptions,
    retrySignal?: AbortSignal,
    answer: 'json' | 'text' = 'json',
  ): Promise<unknown> {
    const source = this.connection.id;
    const accept = answer === 'json' ? 'application/json' : 'text/csv, text/plain';
    const headers: Record<string, string> = { accept, ...this.connection.authHeaders };
    if (options.requestId) headers['x-request-id'] = options.requestId;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.connection.timeoutMs);
    const callers = [options.signal, retrySignal].filter((signal): signal is AbortSignal => signal !== undefined);
    const stop = () => abort.abort();
    for (const signal of callers) {
      if (signal.aborted) abort.abort();
      else signal.addEventListener('abort', stop, { once: true });
    }
    let text: string;
    let status: number;
    try {
      // undici's request rather than fetch: the same client, a fraction of the cost per call, and it never
      // follows a redirect (a 3xx is an error status here).
      const responding = request(url, {
        dispatcher,
        method: method as 'GET' | 'POST',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
      });
      options.onDispatch?.();
      const response = await responding;
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      if (timedOut)
        throw new SourceException(
          SourceErrorCode.SOURCE_TIMEOUT,
          source,
          `no answer within ${this.connection.timeoutMs} ms (${method} ${pathOf(url)})`,
        );
      if (options.signal?.aborted) throw error;
      const failure = error as { code?: string; cause?: { code?: string }; message?: string };
      const cause = failure.code ?? failure.cause?.code ?? failure.message;
      throw new SourceException(SourceErrorCode.SOURCE_UNREACHABLE, source, `cannot reach ${pathOf(url)}: ${cause}`);
    } finally {
      clearTimeout(timer);
      for (const signal of callers) signal.removeEventListener('abort', stop);
    }
    if (status < 200 || status >= 300) {
      throw new SourceException(
        SourceErrorCode.SOURCE_HTTP_ERROR,
        source,
        `HTTP ${status} from ${method} ${pathOf(url)}`,
        status,
        text.slice(0, excerptLength),
      );
    }
    if (answer === 'text') return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SourceException(
        SourceErrorCode.SOURCE_NOT_JSON,
        source,
        `the answer to ${method} ${pathOf(url)} is not JSON`,
        status,
        text.slice(0, excerptLength),
      );
    }
  }
}

/** Path and query names only: query values may be personal data (keys) and stay out of messages. */
function pathOf(url: string): string {
  const parsed = new URL(url);
  const names = [...new Set(parsed.searchParams.keys())];
  return names.length ? `${parsed.pathname}?${names.join('&')}` : parsed.pathname;
}
