import type { z } from 'zod';
import { booleanVar, numberVar } from '../../config/env-fields.js';

/**
 * Environment variables of the mention volume source. It derives from stored readings of the
 * social and news sources and calls no API, so it has no base URL.
 */
export const MENTION_VOLUME_ENV = {
  MENTION_VOLUME_ENABLED: booleanVar('true'),
  /** Seconds between polls. */
  MENTION_VOLUME_POLL_INTERVAL: numberVar('900', { min: 1 }),
  /** Hours of recent mentions compared with the 7-day hourly baseline. */
  MENTION_VOLUME_WINDOW_HOURS: numberVar('1', { min: 0, minExclusive: true, max: 24 }),
} as const;

export interface MentionVolumeConfig {
  readonly enabled: boolean;
  readonly intervalMs: number;
  readonly windowHours: number;
}

export const mentionVolumeConfig = (e: z.output<z.ZodObject<typeof MENTION_VOLUME_ENV>>): MentionVolumeConfig => ({
  enabled: e.MENTION_VOLUME_ENABLED,
  intervalMs: e.MENTION_VOLUME_POLL_INTERVAL * 1000,
  windowHours: e.MENTION_VOLUME_WINDOW_HOURS,
});
