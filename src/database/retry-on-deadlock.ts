/**
 * pg-boss makes a queue's table in a transaction that can deadlock with the same call from another instance
 * starting at the same moment (PostgreSQL then cancels one of them with 40P01, and that instance failed to
 * start: seen with two instances in test/e2e/two-instances.e2e-spec.ts). The call is idempotent, so the
 * cancelled side tries again, after a short random pause, a few times.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const deadlock = (error as { code?: string }).code === '40P01' || /deadlock detected/.test(String(error));
      if (!deadlock || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 200 * attempt)));
    }
  }
}
