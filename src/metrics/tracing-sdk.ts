import { context, propagation, trace } from '@opentelemetry/api';
import { setTracingActive } from './hub-tracing';
import type { ObservabilitySettings } from './observability-settings';

export interface Tracing {
  /** Sends the spans still buffered and stops recording. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK: spans of the hub's own hooks (hub-tracing.ts) exported over OTLP/HTTP in
 * batches to `traces.url`. No instrumentation of libraries (each request is one trace of the hub's own
 * spans, whose attributes are known to carry no personal data), no metrics or logs through the SDK
 * (Prometheus has the metrics, stdout the logs), and of the resource detectors only the environment's
 * (`OTEL_RESOURCE_ATTRIBUTES`): the process detector would send the command line. The SDK is loaded only
 * here, so a hub without tracing does not load it at all. The standard `OTEL_TRACES_SAMPLER`,
 * `OTEL_TRACES_SAMPLER_ARG` and `OTEL_BSP_*` variables apply.
 */
export async function startTracing(traces: NonNullable<ObservabilitySettings['traces']>): Promise<Tracing> {
  const [{ NodeSDK, resources }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const sdk = new NodeSDK({
    serviceName: traces.serviceName,
    traceExporter: new OTLPTraceExporter({ url: traces.url }),
    resourceDetectors: [resources.envDetector],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  setTracingActive(true);
  let stopped: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopped ??= (async () => {
        setTracingActive(false);
        await sdk.shutdown();
        // The API's globals go too, so that the process could start tracing again (tests do).
        trace.disable();
        context.disable();
        propagation.disable();
      })()),
  };
}
