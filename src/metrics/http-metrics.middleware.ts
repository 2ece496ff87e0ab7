import { context } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { assignRequestId } from '../common/request-id';
import { HubMetrics } from './hub-metrics';
import { startRequestSpan } from './hub-tracing';

/** Paths answered by middleware rather than a route: named as they are (a fixed set). */
const middlewarePaths = new Set(['/graphql', '/metrics']);
/** Answered before the answer was complete: the client went away (nginx's convention). */
const CLIENT_CLOSED = 499;

/**
 * Times every HTTP request and, when tracing is on, makes it the root span of its trace, with the request
 * id; the rest of the request (GraphQL, policy, lookups, audit) runs in that span's context. The route
 * label is the matched route's pattern (`/dpo/subject-access/:personId`, never the id in the path),
 * `/graphql`, `/metrics`, or `unmatched`: a bounded set whatever paths clients try.
 */
export function httpMetricsMiddleware(metrics: HubMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    const requestId = assignRequestId(req, res);
    const traced = startRequestSpan(`${req.method} request`, {
      'http.request.method': req.method,
      'hub.request_id': requestId,
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      metrics.httpRequest(req.method, route, status, (performance.now() - started) / 1000);
      if (traced) {
        traced.span.updateName(`${req.method} ${route}`);
        traced.span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        traced.span.end();
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    if (traced) context.with(traced.context, next);
    else next();
  };
}

function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  // A wildcard is a catch-all middleware's (`{/*splat}`), not a route of the hub's.
  if (typeof pattern === 'string' && !pattern.includes('*')) return `${req.baseUrl}${pattern}`;
  const path = req.originalUrl.split('?')[0];
  return middlewarePaths.has(path) ? path : 'unmatched';
}
