import { isIP } from 'node:net';
import { z } from 'zod';
import { defineSettings } from '../config/config';

/** Where /metrics is served and where traces go (see docs/monitoring.md). */
export interface ObservabilitySettings {
  metrics: {
    /** A listener of its own for /metrics on `host`; absent: none (0 takes a free port). */
    port?: number;
    /** The address that listener binds: loopback unless said otherwise. */
    host: string;
    /**
     * Bearer token a scraper must send: on the main port (without `port`), or on the metrics port too when
     * both are set. Absent with no port: metrics are off and /metrics answers 404.
     */
    token?: string;
  };
  /** OTLP over HTTP; absent: no traces (nothing is recorded). */
  traces?: {
    /** The collector's traces URL: `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
    url: string;
    serviceName: string;
  };
}

/** The observability settings' environment variables, merged into the hub's one configuration schema. */
export const observabilityEnvSchema = {
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z
    .string()
    .refine(
      (host) => host === 'localhost' || isIP(host) !== 0,
      'must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1) or localhost',
    )
    .optional(),
  // Checked in toObservabilitySettings, whose messages never echo the value (a refused token is still a secret).
  METRICS_TOKEN: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === 'http:' || url.protocol === 'https:') &&
          !url.username &&
          !url.password &&
          !url.search &&
          !url.hash
        );
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL without credentials or query, e.g. http://otel-collector:4318')
    .optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .default('single-view-hub'),
};

type ObservabilityEnv = z.output<z.ZodObject<typeof observabilityEnvSchema>> & { PORT: number };

/** Printable ASCII without spaces, long enough not to be guessed one request at a time. */
const tokenPattern = /^[\x21-\x7e]{32,512}$/;

export function toObservabilitySettings(
  values: ObservabilityEnv,
  fail: (message: string) => never,
): ObservabilitySettings {
  const { METRICS_PORT: port, METRICS_HOST: host, METRICS_TOKEN: token } = values;
  if (token !== undefined && !tokenPattern.test(token)) {
    fail(
      'Invalid configuration: METRICS_TOKEN must be 32 to 512 printable characters without spaces (e.g. `openssl rand -hex 32`)',
    );
  }
  if (host !== undefined && port === undefined)
    fail('Invalid configuration: METRICS_HOST is the address of the METRICS_PORT listener; set METRICS_PORT too');
  if (port !== undefined && port !== 0 && port === values.PORT)
    fail(`Invalid configuration: METRICS_PORT must differ from PORT (both ${port})`);
  const endpoint = values.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    metrics: { port, host: host ?? '127.0.0.1', token },
    traces: endpoint
      ? { url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, serviceName: values.OTEL_SERVICE_NAME }
      : undefined,
  };
}

/** Whether /metrics is served at all. */
export function metricsEnabled(settings: ObservabilitySettings): boolean {
  return settings.metrics.port !== undefined || settings.metrics.token !== undefined;
}

declare module '../config/config' {
  interface AppConfig {
    /** /metrics (METRICS_PORT, METRICS_TOKEN) and traces (OTEL_EXPORTER_OTLP_ENDPOINT); see docs/monitoring.md. */
    observability: ObservabilitySettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const observabilitySettings = defineSettings(observabilityEnvSchema, (values, fail) => ({
  observability: toObservabilitySettings(values, fail),
}));
