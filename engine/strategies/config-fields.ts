import { z } from 'zod';
import { TIMEFRAMES } from '../messages/market.js';

/**
 * Field builders shared by the strategies' config schemas, so every strategy words its errors the
 * same way (`<field> must be ...`) and the registry's 400 names the field in the user's terms.
 */

/** A whole number in [min, max]. */
export const wholeNumber = (name: string, min: number, max: number, fallback: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` })
    .default(fallback);

/** A number in (0, maxExclusive), e.g. a percentage given as a fraction. */
export const fraction = (name: string, maxExclusive: number, fallback: number) =>
  z
    .number({ error: `${name} must be a number` })
    .gt(0, { error: `${name} must be greater than 0` })
    .lt(maxExclusive, { error: `${name} must be less than ${maxExclusive}` })
    .default(fallback);

/** A number in (0, max], e.g. a percentage given as a fraction (0.1 % = 0.001). */
export const positiveAtMost = (name: string, max: number, fallback: number) =>
  z
    .number({ error: `${name} must be a number` })
    .gt(0, { error: `${name} must be greater than 0` })
    .max(max, { error: `${name} must be at most ${max}` })
    .default(fallback);

export const flag = (name: string, fallback: boolean) =>
  z.boolean({ error: `${name} must be true or false` }).default(fallback);

/** One of the bar timeframes; 5m unless given. */
export const timeframeField = () =>
  z.enum(TIMEFRAMES, { error: `timeframe must be one of ${TIMEFRAMES.join(', ')}` }).default('5m');
