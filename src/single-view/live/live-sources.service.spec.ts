import { loadConfig } from '../../hub-config';
import { SourceAdapter } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { SourceErrorCode, SourceException } from '../../sources/source-transport';
import { LiveSources } from './live-sources.service';

function liveWith(fetchDetails: SourceAdapter['fetchDetails']) {
  const adapter = { fetchDetails } as SourceAdapter;
  const registry = {
    adapter: async (id: string) =>
      id === 'housing'
        ? adapter
        : Promise.reject(new SourceException(SourceErrorCode.SOURCE_UNKNOWN, id, 'no such source')),
  };
  const config = loadConfig({
    NODE_ENV: 'test',
    SINGLE_VIEW_SOURCE_TIMEOUT_MS: '50',
    SINGLE_VIEW_BREAKER_THRESHOLD: '2',
    SINGLE_VIEW_BREAKER_HALF_OPEN_MS: '60000',
  });
  return new LiveSources(registry as unknown as SourceRegistry, config);
}

describe('live source lookups', () => {
  it('give up on a source that does not answer in time, and abort its call', async () => {
    let aborted = false;
    const live = liveWith(
      (_keys, options) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    await expect(live.fetch('housing', ['T1'])).rejects.toMatchObject({ source: 'housing', reason: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('stop calling a source after consecutive failures (circuit open)', async () => {
    let calls = 0;
    const live = liveWith(async () => {
      calls++;
      throw new SourceException(SourceErrorCode.SOURCE_HTTP_ERROR, 'housing', 'HTTP 500', 500);
    });
    await expect(live.fetch('housing', ['T1'])).rejects.toMatchObject({ reason: 'SOURCE_HTTP_ERROR' });
    await expect(live.fetch('housing', ['T1'])).rejects.toMatchObject({ reason: 'SOURCE_HTTP_ERROR' });
    await expect(live.fetch('housing', ['T1'])).rejects.toMatchObject({ reason: 'circuit-open' });
    expect(calls).toBe(2);
  });

  it('report a source that is not configured as unavailable, not as a crash', async () => {
    await expect(liveWith(async () => new Map()).fetch('parking', ['P1'])).rejects.toMatchObject({
      source: 'parking',
      reason: 'SOURCE_UNKNOWN',
    });
  });

  it('pass the answer through', async () => {
    const records = new Map([['T1', [{ category: 'tenancy', recordId: 'TEN1', fields: { tenure: 'secure' } }]]]);
    await expect(liveWith(async () => records).fetch('housing', ['T1'])).resolves.toBe(records);
  });
});
