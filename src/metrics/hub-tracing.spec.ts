import { trace } from '@opentelemetry/api';
import { activeSpan, inSpan, startRequestSpan, tracingActive } from './hub-tracing';

describe('hub tracing without the SDK', () => {
  it('runs the work directly and records nothing', async () => {
    expect(tracingActive()).toBe(false);
    let seen: unknown;
    const result = await inSpan('policy.decide', { 'hub.operation': 'person.view' }, async (span) => {
      span.setAttribute('hub.outcome', 'ok');
      seen = trace.getActiveSpan();
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toBeUndefined();
    expect(startRequestSpan('GET /health', {})).toBeUndefined();
    expect(activeSpan()).toBeUndefined();
  });

  it('passes a failure on unchanged', async () => {
    const failure = new Error('boom');
    await expect(inSpan('audit.append', {}, async () => Promise.reject(failure))).rejects.toBe(failure);
  });
});
