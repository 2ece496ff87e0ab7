import { z } from 'zod';
import { defineSettings } from '../../config/config';

/** How life-event deliveries are sent and retried (docs/life-events.md, "Retries and dead letters"). */
export interface LifeEventDeliverySettings {
  /**
   * Whether this process runs the delivery workers. Every hub instance does (they share one queue); the CLI
   * and, unless asked (LIFE_EVENT_DELIVERY_WORKERS=on), the tests' hubs do not.
   */
  background: boolean;
  /** Attempts in all before a delivery is dead-lettered (`DEAD`, retried by hand). */
  attempts: number;
  /** Seconds before the first retry; the job queue doubles it each time (with jitter). */
  retryDelaySeconds: number;
  /** Deliveries one instance sends at once. */
  concurrency: number;
  /** Seconds one attempt (a webhook POST, a source's notify) may take before it is abandoned and retried. */
  attemptTimeoutSeconds: number;
}

export const lifeEventDeliveryEnvSchema = {
  LIFE_EVENT_DELIVERY_WORKERS: z.enum(['auto', 'on', 'off']).default('auto'),
  LIFE_EVENT_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  LIFE_EVENT_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
};

interface Values {
  NODE_ENV: string;
  LIFE_EVENT_DELIVERY_WORKERS: 'auto' | 'on' | 'off';
  LIFE_EVENT_DELIVERY_ATTEMPTS: number;
  LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS: number;
  LIFE_EVENT_DELIVERY_CONCURRENCY: number;
  LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS: number;
}

export function toLifeEventDeliverySettings(values: Values): LifeEventDeliverySettings {
  const workers = values.LIFE_EVENT_DELIVERY_WORKERS;
  return {
    background: workers === 'on' || (workers === 'auto' && values.NODE_ENV !== 'test'),
    attempts: values.LIFE_EVENT_DELIVERY_ATTEMPTS,
    retryDelaySeconds: values.LIFE_EVENT_DELIVERY_RETRY_DELAY_SECONDS,
    concurrency: values.LIFE_EVENT_DELIVERY_CONCURRENCY,
    attemptTimeoutSeconds: values.LIFE_EVENT_DELIVERY_TIMEOUT_SECONDS,
  };
}

declare module '../../config/config' {
  interface AppConfig {
    /** Tell Us Once deliveries: workers, attempts, back-off (docs/life-events.md). */
    lifeEventDelivery: LifeEventDeliverySettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const lifeEventDeliverySettings = defineSettings(lifeEventDeliveryEnvSchema, (values) => ({
  lifeEventDelivery: toLifeEventDeliverySettings(values),
}));
