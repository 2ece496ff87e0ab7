import { Budget, RateLimitService } from './rate-limit.service';

/** What spending a client's budget of persons found. */
export interface PersonSpend {
  allowed: boolean;
  /** The budget that refused, when one did. */
  refusedBy?: { window: 'minute' | 'day'; limit: number; retryAfterSeconds: number };
}

/**
 * Budgets of persons disclosed per client (per minute and per day), counted in PostgreSQL beside the
 * request budgets so every instance draws on the same count. The request budget counts requests; one
 * request can name many people (a page of results, a household, `_entities` with many representations),
 * so a client that asks for many people at once meets this budget rather than that one.
 */
export class PersonBudget {
  private readonly perMinute?: Budget;
  private readonly perDay?: Budget;

  constructor(rateLimit: RateLimitService, limits: { personsPerMinute: number; personsPerDay: number }) {
    if (limits.personsPerMinute)
      this.perMinute = rateLimit.budget({
        name: 'persons-minute',
        points: limits.personsPerMinute,
        durationSeconds: 60,
      });
    if (limits.personsPerDay)
      this.perDay = rateLimit.budget({ name: 'persons-day', points: limits.personsPerDay, durationSeconds: 86_400 });
  }

  /**
   * Spends `count` persons of `client`'s budgets. A spend that is refused still counts: a client that keeps
   * asking past its budget does not get its budget back sooner. A store that cannot answer is an error,
   * and the caller refuses (fail closed).
   */
  async consumePersons(client: string, count: number): Promise<PersonSpend> {
    if (count <= 0) return { allowed: true };
    const windows = [
      ['minute', this.perMinute],
      ['day', this.perDay],
    ] as const;
    const spends = await Promise.all(
      windows.map(async ([window, budget]) =>
        budget ? { window, budget, spend: await budget.spend(client, count) } : undefined,
      ),
    );
    const refused = spends.find((entry) => entry && !entry.spend.allowed);
    if (!refused) return { allowed: true };
    return {
      allowed: false,
      refusedBy: {
        window: refused.window,
        limit: refused.budget.options.points,
        retryAfterSeconds: refused.spend.retryAfterSeconds,
      },
    };
  }
}
