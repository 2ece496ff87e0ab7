import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import type { DatabaseRuntime } from '../database/database-runtime';
import { LifeEventSubscriptionsService } from './subscriptions/life-event-subscriptions.service';

/**
 * What `npm start` adds for Tell Us Once: in the embedded default (no DATABASE_URL, not production), the
 * demo subscriptions of the live sources (idempotent). Returns the banner lines.
 */
export async function lifeEventsStartup(
  app: INestApplicationContext,
  config: AppConfig,
  runtime: DatabaseRuntime,
): Promise<string[]> {
  if (runtime.mode !== 'embedded' || config.nodeEnv === 'production') return [];
  const made = await app.get(LifeEventSubscriptionsService).seedDemo();
  return made.length > 0 ? [`  Demo life event subscriptions: ${made.join(', ')}`] : [];
}
