import { loadConfig } from '../../src/hub-config';
import { RateLimitedException, RateLimitService } from '../../src/rate-limit/rate-limit.service';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('RateLimitService', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const instance = (perMinute: number) => {
    const service = new RateLimitService(loadConfig({ RATE_LIMIT_PER_MINUTE: String(perMinute) }), db.dataSource);
    service.onModuleInit();
    return service;
  };

  it('shares one budget per client across instances, and keeps clients apart', async () => {
    const first = instance(3);
    const second = instance(3);
    await first.consume('org-a/client-1');
    await second.consume('org-a/client-1');
    await first.consume('org-a/client-1');
    const refused = await second.consume('org-a/client-1').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedException);
    expect((refused as RateLimitedException).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as RateLimitedException).retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(first.consume('org-b/client-2')).resolves.toBeUndefined();
  });

  it('is off when the limit is 0', async () => {
    const unlimited = instance(0);
    for (let i = 0; i < 5; i++) await unlimited.consume('anyone');
    const [{ count }] = await db.dataSource.query(
      `select count(*)::int as count from rate_limit where key like '%anyone'`,
    );
    expect(count).toBe(0);
  });
});
