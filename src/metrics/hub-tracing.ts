import {
  Attributes,
  AttributeValue,
  Context,
  context,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Spans for the request's trace (docs/monitoring.md). Only the OpenTelemetry API is used here: until the
 * SDK is started (tracing-sdk.ts, when OTEL_EXPORTER_OTLP_ENDPOINT is set) nothing is recorded, and `inSpan`
 * does not even ask the API for a span, so a hub without tracing pays one boolean test per hook.
 *
 * Attributes are names, counts, outcomes and the request id: never a person id, a name, a token's subject,
 * a source key or a search term.
 */
const tracer = trace.getTracer('single-view-hub');
let recording = false;

/** Set by the SDK's start and shutdown only. */
export function setTracingActive(active: boolean): void {
  recording = active;
}

export function tracingActive(): boolean {
  return recording;
}

/** What a hook may do to its span: add attributes once it knows the outcome. */
export interface HubSpan {
  setAttribute(key: string, value: AttributeValue): unknown;
}

const idle: HubSpan = { setAttribute: () => undefined };

/**
 * Runs `work` inside a span named `name`, a child of the request's span; the span ends when `work`
 * settles. A rejection marks the span as an error with the error's name or code only (messages can quote
 * data) and is passed on unchanged.
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: HubSpan) => Promise<T>): Promise<T> {
  if (!recording) return work(idle);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('hub.error', errorName(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The span of one HTTP request (the trace's root) and the context its handling runs in. */
export function startRequestSpan(name: string, attributes: Attributes): { span: Span; context: Context } | undefined {
  if (!recording) return undefined;
  // A root of its own: one trace per request, whatever trace context the caller sent.
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes, root: true });
  return { span, context: trace.setSpan(context.active(), span) };
}

/** The span of the request being handled, if any (to name its GraphQL operation). */
export function activeSpan(): HubSpan | undefined {
  return recording ? trace.getActiveSpan() : undefined;
}

function errorName(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'error';
}
