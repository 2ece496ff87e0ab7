import { z } from 'zod';
import { defineSettings } from '../config/config';

declare module '../config/config' {
  interface AppConfig {
    /** Access-control settings. */
    access: { breakGlassMaxMinutes: number; referenceFactsCacheSeconds: number; breakGlassMaxPerDay: number };
  }
}

/** Break-glass limits and how long the reference facts are cached (docs/configuration.md). */
export const accessSettings = defineSettings(
  {
    BREAK_GLASS_MAX_MINUTES: z.coerce.number().int().min(5).max(1440).default(240),
    BREAK_GLASS_MAX_PER_DAY: z.coerce.number().int().min(1).max(50).default(3),
    ACCESS_FACTS_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  },
  (values) => ({
    access: {
      breakGlassMaxMinutes: values.BREAK_GLASS_MAX_MINUTES,
      referenceFactsCacheSeconds: values.ACCESS_FACTS_CACHE_SECONDS,
      breakGlassMaxPerDay: values.BREAK_GLASS_MAX_PER_DAY,
    },
  }),
);
