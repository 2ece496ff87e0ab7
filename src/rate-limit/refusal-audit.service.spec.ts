import type { AuditEventInput, AuditRecorder } from '../engine/audit-recorder';
import { loadConfig } from '../hub-config';
import type { Budget, RateLimitService, Spend } from './rate-limit.service';
import { RefusalAuditService } from './refusal-audit.service';

/** The service with a recorder that keeps events (and can fail) and a budget that answers as told. */
function setUp(spend: (key: string) => Promise<Spend>) {
  const events: AuditEventInput[] = [];
  const recorder = { failures: 0, record: jest.fn() };
  recorder.record.mockImplementation(async (event: AuditEventInput) => {
    if (recorder.failures > 0) {
      recorder.failures -= 1;
      throw new Error('audit trail unavailable');
    }
    events.push(event);
    return { seq: String(events.length), hash: 'h' };
  });
  const rateLimit = { budget: () => ({ spend }) as unknown as Budget } as unknown as RateLimitService;
  const service = new RefusalAuditService(
    recorder as unknown as AuditRecorder,
    rateLimit,
    loadConfig({ REFUSAL_WINDOW_SECONDS: '60' }),
  );
  service.onModuleInit();
  return { service, events, recorder };
}

const refusal = (n: number): AuditEventInput => ({
  operation: 'access.context-refused',
  decision: 'deny',
  reasons: [`refusal ${n}`],
});
const first = (consumed: number): Spend => ({
  allowed: consumed <= 2,
  consumed,
  retryAfterSeconds: 60,
  windowEndsAt: Date.now() + 60_000,
});

describe('RefusalAuditService', () => {
  it('writes the first refusals of a key one by one and counts the rest into one event, written at shutdown', async () => {
    let consumed = 0;
    const { service, events } = setUp(async () => first(++consumed));
    for (let n = 1; n <= 7; n++)
      await service.refuse(refusal(n), {
        key: 'council/cw',
        reason: n % 2 ? 'PURPOSE_REQUIRED' : 'UNKNOWN_PURPOSE',
        detail: { client: 'council/cw' },
      });
    expect(events.map((e) => e.operation)).toEqual(['access.context-refused', 'access.context-refused']);
    await service.onModuleDestroy();
    expect(events[2]).toMatchObject({
      operation: 'access.context-refused.aggregate',
      decision: 'deny',
      reasons: ['PURPOSE_REQUIRED x3', 'UNKNOWN_PURPOSE x2'],
      detail: { client: 'council/cw', count: 5, byReason: { PURPOSE_REQUIRED: 3, UNKNOWN_PURPOSE: 2 } },
    });
    // Once stopping, nothing more is counted: a late refusal is written as it is.
    await service.refuse(refusal(8), { key: 'council/cw', reason: 'PURPOSE_REQUIRED', detail: {} });
    expect(events.at(-1)).toEqual(refusal(8));
  });

  it('retries a count whose write failed, so the shutdown still writes it', async () => {
    const { service, events, recorder } = setUp(async () => first(99));
    const start = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(start);
    try {
      await service.refuse(refusal(1), {
        key: 'k',
        reason: 'r',
        detail: {},
        individually: false,
        windowEndsAt: start + 1000,
      });
      recorder.failures = 1;
      now.mockReturnValue(start + 2000);
      // The window is over: the next refusal writes its count first (which fails), then starts a new one.
      await service.refuse(refusal(2), {
        key: 'k',
        reason: 'r',
        detail: {},
        individually: false,
        windowEndsAt: start + 60_000,
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(events).toEqual([]);
    } finally {
      now.mockRestore();
    }
    await service.onModuleDestroy();
    expect(events.map((e) => e.detail?.count)).toEqual([1, 1]);
  });

  it('writes a refusal one by one when the budget cannot say whether it is among the first', async () => {
    const { service, events } = setUp(async () => {
      throw new Error('rate_limit unreachable');
    });
    await service.refuse(refusal(1), { key: 'k', reason: 'r', detail: {} });
    await service.refuse(refusal(2), { key: 'k', reason: 'r', detail: {} });
    expect(events).toEqual([refusal(1), refusal(2)]);
    await service.onModuleDestroy();
  });

  it('never throws, even when the audit trail is down: the request is refused either way', async () => {
    const { service, recorder } = setUp(async () => first(1));
    recorder.failures = 1;
    await expect(service.refuse(refusal(1), { key: 'k', reason: 'r', detail: {} })).resolves.toBeUndefined();
    await service.onModuleDestroy();
  });
});
