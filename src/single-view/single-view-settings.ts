import { z } from 'zod';
import { defineSettings } from '../config/config';

/** How the single view calls the source systems live (see docs/single-view.md). */
export interface SingleViewSettings {
  /**
   * The most one source may take to answer one request's detail lookup, retries included. Past it the
   * call is abandoned and that source's fields are null with SOURCE_UNAVAILABLE; the rest of the answer
   * is not held up.
   */
  sourceTimeoutMs: number;
  /** Consecutive failed lookups after which a source's circuit opens: it is not called at all for a while. */
  breakerThreshold: number;
  /** How long an open circuit stays open before one trial call is let through. */
  breakerHalfOpenMs: number;
}

export const singleViewEnvSchema = {
  SINGLE_VIEW_SOURCE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
  SINGLE_VIEW_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  SINGLE_VIEW_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
};

export function toSingleViewSettings(values: {
  SINGLE_VIEW_SOURCE_TIMEOUT_MS: number;
  SINGLE_VIEW_BREAKER_THRESHOLD: number;
  SINGLE_VIEW_BREAKER_HALF_OPEN_MS: number;
}): SingleViewSettings {
  return {
    sourceTimeoutMs: values.SINGLE_VIEW_SOURCE_TIMEOUT_MS,
    breakerThreshold: values.SINGLE_VIEW_BREAKER_THRESHOLD,
    breakerHalfOpenMs: values.SINGLE_VIEW_BREAKER_HALF_OPEN_MS,
  };
}

declare module '../config/config' {
  interface AppConfig {
    /** Live calls to the sources for the person and household views (see docs/single-view.md). */
    singleView: SingleViewSettings;
  }
}

/** This domain's settings section, registered where the hub is assembled (src/hub-config.ts). */
export const singleViewSettings = defineSettings(singleViewEnvSchema, (values) => ({
  singleView: toSingleViewSettings(values),
}));
