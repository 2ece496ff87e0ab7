import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { percentile } from './load-plan';

/** The moments of one console page, from the hub's side (ms, on the process's clock). */
interface PageMoments {
  start: number;
  firstSourceAsked?: number;
  lastSourceAnswered?: number;
  sent?: number;
}

/** Where a page's time goes, medians over the pages seen one at a time. */
export interface PageTimeline {
  pages: number;
  /**
   * Before the first source is asked: the console's session and checks, then the API in process (the
   * token and the query's checks, the identity and decision lookups, the decision).
   */
  beforeSourcesMs: number;
  /** From the first source asked to the last source's answer read, as the hub sees it. */
  sourcesMs: number;
  /** After the sources: every released field resolved, the page's tables made, rendered and sent. */
  afterSourcesMs: number;
}

/**
 * Watches the hub in this process through Node's diagnostics channels (the HTTP server's and undici's, by
 * which the hub asks the sources) and times the stretches of each page whose path starts with `pagePath`,
 * one page at a time: so the benchmark says where the page's time goes, not only how long it takes.
 * Nothing in the hub is changed for it.
 */
export function watchPages(pagePath: string): { stop(): PageTimeline } {
  const pages: PageMoments[] = [];
  let current: PageMoments | undefined;
  const handlers: [string, (message: unknown) => void][] = [
    [
      'http.server.request.start',
      (message) => {
        const url = (message as { request: { url?: string } }).request.url ?? '';
        if (!url.startsWith(pagePath)) return;
        current = { start: performance.now() };
        pages.push(current);
      },
    ],
    [
      'http.server.response.finish',
      (message) => {
        // Express's router has taken its mount path off `url` by now; `originalUrl` keeps it.
        const url = (message as { request: { originalUrl?: string } }).request.originalUrl ?? '';
        if (current && url.startsWith(pagePath)) current.sent = performance.now();
      },
    ],
    [
      'undici:request:create',
      () => {
        if (current) current.firstSourceAsked ??= performance.now();
      },
    ],
    [
      'undici:request:trailers',
      () => {
        if (current) current.lastSourceAnswered = performance.now();
      },
    ],
  ];
  for (const [channel, handler] of handlers) subscribe(channel, handler);
  return {
    stop() {
      for (const [channel, handler] of handlers) unsubscribe(channel, handler);
      const whole = pages.filter(
        (p): p is Required<PageMoments> =>
          p.firstSourceAsked !== undefined && p.lastSourceAnswered !== undefined && p.sent !== undefined,
      );
      const median = (stretch: (p: Required<PageMoments>) => number) =>
        Math.round(percentile(whole.map(stretch), 0.5) * 10) / 10;
      return {
        pages: whole.length,
        beforeSourcesMs: median((p) => p.firstSourceAsked - p.start),
        sourcesMs: median((p) => p.lastSourceAnswered - p.firstSourceAsked),
        afterSourcesMs: median((p) => p.sent - p.lastSourceAnswered),
      };
    },
  };
}
