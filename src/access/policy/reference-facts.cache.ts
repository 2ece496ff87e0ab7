import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';

interface Entry {
  at: number;
  value: Promise<unknown>;
}

/**
 * The slow-changing facts every decision reads (agreements, the purposes catalogue), kept in this process
 * so that a view does not fetch them each time. Every write path through this instance calls `invalidate`
 * once its transaction has committed, so the instance that made a change sees it on the next request;
 * other instances see it within the TTL (`ACCESS_FACTS_CACHE_SECONDS`). Only facts are cached, never a
 * decision: validity dates are evaluated against the request's time by the decision point every time.
 */
@Injectable()
export class ReferenceFactsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'access'>) {
    this.ttlMs = config.access.referenceFactsCacheSeconds * 1000;
  }

  /** The cached value for `key`, loading it (once, however many callers ask at the same time) when absent or stale. */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    if (this.ttlMs > 0) {
      const entry = { at: now, value };
      this.entries.set(key, entry);
      // A failed load is not remembered; the next request tries again (and fails closed if it fails too).
      value.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    return value;
  }

  /**
   * Forgets everything. Loads already under way were started before the change committed: they are
   * dropped from the cache here, so no later request is served from them.
   */
  invalidate(): void {
    this.entries.clear();
  }
}
