import { loadConfig } from '../../hub-config';

describe('life-event delivery settings', () => {
  it('workers run in a hub, not in tests unless asked; defaults are bounded', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).lifeEventDelivery).toEqual({
      background: true,
      attempts: 10,
      retryDelaySeconds: 30,
      concurrency: 20,
      attemptTimeoutSeconds: 30,
    });
    expect(loadConfig({ NODE_ENV: 'test' }).lifeEventDelivery.background).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', LIFE_EVENT_DELIVERY_WORKERS: 'on' }).lifeEventDelivery.background).toBe(true);
    expect(
      loadConfig({ NODE_ENV: 'production', LIFE_EVENT_DELIVERY_WORKERS: 'off' }).lifeEventDelivery.background,
    ).toBe(false);
  });

  it('refuses a bad value with the variable named', () => {
    expect(() => loadConfig({ LIFE_EVENT_DELIVERY_ATTEMPTS: '0' })).toThrow(/LIFE_EVENT_DELIVERY_ATTEMPTS/);
    expect(() => loadConfig({ LIFE_EVENT_DELIVERY_CONCURRENCY: 'many' })).toThrow(/LIFE_EVENT_DELIVERY_CONCURRENCY/);
  });
});
