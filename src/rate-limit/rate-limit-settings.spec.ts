import { loadConfig } from '../hub-config';

describe('rate-limit settings', () => {
  it('takes the socket address unless told which proxies to trust', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
  });

  it.each(['true', 'yes', '10.0.0.0/33', '*', 'loopback,,bogus'])(
    'refuses TRUST_PROXY=%s: a client must not choose its own address',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
        /^Invalid configuration: TRUST_PROXY must be false, a number of proxy hops/,
      );
    },
  );

  it('has budgets for failed sign-ins and audited refusals', () => {
    expect(loadConfig({}).rateLimit).toEqual({
      perMinute: 600,
      authFailuresPerWindow: 30,
      refusalsAuditedPerWindow: 10,
      windowSeconds: 60,
    });
    expect(() => loadConfig({ AUTH_FAILURES_PER_WINDOW: '0' })).toThrow(/AUTH_FAILURES_PER_WINDOW/);
  });
});
