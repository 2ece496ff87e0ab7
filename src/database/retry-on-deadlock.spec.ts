import { retryOnDeadlock } from './retry-on-deadlock';

describe('retryOnDeadlock', () => {
  const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

  it('tries a deadlocked call again until it succeeds', async () => {
    let calls = 0;
    const result = await retryOnDeadlock(async () => {
      calls += 1;
      if (calls < 3) throw deadlock();
      return 'done';
    });
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('gives up after the attempts allowed, and never retries any other error', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw deadlock();
      }, 3),
    ).rejects.toThrow('deadlock detected');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw new Error('relation "queue" does not exist');
      }),
    ).rejects.toThrow('does not exist');
    expect(calls).toBe(1);
  });
});
