import { ConfigError } from '../config/config';
import { loadConfig } from '../hub-config';

describe('observability settings', () => {
  it('serve no metrics and record no traces unless asked', () => {
    expect(loadConfig({}).observability).toEqual({
      metrics: { port: undefined, host: '127.0.0.1', token: undefined },
      traces: undefined,
    });
  });

  it('read a metrics port (loopback unless told otherwise), a token and a collector', () => {
    const token = 'a'.repeat(32);
    const { observability } = loadConfig({
      METRICS_PORT: '9464',
      METRICS_HOST: '0.0.0.0',
      METRICS_TOKEN: token,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318/',
    });
    expect(observability).toEqual({
      metrics: { port: 9464, host: '0.0.0.0', token },
      traces: { url: 'http://otel-collector:4318/v1/traces', serviceName: 'single-view-hub' },
    });
    expect(loadConfig({ METRICS_PORT: '9464' }).observability.metrics.host).toBe('127.0.0.1');
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example', OTEL_SERVICE_NAME: 'hub-blue' })
        .observability.traces,
    ).toEqual({
      url: 'https://collector.example/v1/traces',
      serviceName: 'hub-blue',
    });
  });

  it.each([
    [{ METRICS_PORT: '70000' }, /^Invalid configuration: METRICS_PORT must be <=65535/],
    [{ METRICS_PORT: '3000' }, /^Invalid configuration: METRICS_PORT must differ from PORT \(both 3000\)$/],
    [{ METRICS_HOST: '127.0.0.1' }, /^Invalid configuration: METRICS_HOST is the address of the METRICS_PORT listener/],
    [
      { METRICS_PORT: '9464', METRICS_HOST: 'metrics.internal' },
      /^Invalid configuration: METRICS_HOST must be an IP address/,
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' },
      /^Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://user:secret@collector' },
      /^Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT must be/,
    ],
    [{ OTEL_SERVICE_NAME: 'hub blue' }, /^Invalid configuration: OTEL_SERVICE_NAME must be/],
  ])('refuses %p with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses a short or spaced token without repeating it', () => {
    for (const token of ['short-token', `${'a'.repeat(20)} ${'b'.repeat(20)}`]) {
      let message = '';
      try {
        loadConfig({ METRICS_TOKEN: token });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Invalid configuration: METRICS_TOKEN must be 32 to 512 printable characters/);
      expect(message).not.toContain(token);
      expect(message).not.toContain('short');
    }
  });
});
