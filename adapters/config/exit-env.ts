import { z } from 'zod';
import { type ExitConfig, ExitConfigSchema, type LadderStep } from '../../engine/risk/exit-config.js';

/** One raw value turned into the exit config field it sets, or why it cannot be. */
type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OFF = 'off';

const decimal = (raw: string): number | undefined => (DECIMAL.test(raw) ? Number(raw) : undefined);

/**
 * An environment variable for one `ExitConfig` field. The raw value (trimmed; empty = unset, then
 * `fallback`; unset without a fallback, or `off`, means the rule is off) is parsed by `parse` and then
 * checked by `ExitConfigSchema` itself, so the variables accept exactly what the engine accepts. A bad
 * value reads `expected <what>, got '<raw>'`, then why, and the ConfigError names the variable.
 */
const exitVar = <K extends keyof ExitConfig>(
  field: K,
  expected: string,
  fallback: string | undefined,
  parse: (raw: string) => Parsed<ExitConfig[K]>,
  off: ExitConfig[K] | undefined,
) =>
  z
    .string()
    .optional()
    .transform((input, ctx): ExitConfig[K] => {
      const raw = input?.trim() || fallback;
      const fail = (why: string): never => {
        ctx.issues.push({ code: 'custom', message: `expected ${expected}, got '${raw ?? ''}': ${why}`, input });
        return z.NEVER;
      };
      if (raw === undefined || raw.toLowerCase() === OFF) {
        if (off !== undefined) return off;
        return fail('this rule cannot be switched off');
      }
      const parsed = parse(raw);
      if (!parsed.ok) return fail(parsed.reason);
      const checked = ExitConfigSchema.safeParse({ [field]: parsed.value });
      if (!checked.success) return fail(checked.error.issues.map((i) => i.message).join('; '));
      return checked.data[field];
    });

const number = (raw: string): Parsed<number> => {
  const value = decimal(raw);
  return value === undefined ? { ok: false, reason: 'not a number' } : { ok: true, value };
};

/** `gain:sell_fraction` pairs, comma-separated, e.g. `0.05:0.25,0.10:0.5,0.20:1`. */
const ladder = (raw: string): Parsed<LadderStep[]> => {
  const steps: LadderStep[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const [gain, fraction, extra] = entry.split(':').map((x) => decimal(x.trim()));
    if (gain === undefined || fraction === undefined || extra !== undefined)
      return { ok: false, reason: `'${entry}' is not a gain:sell_fraction step` };
    steps.push({ gain, sell_fraction: fraction });
  }
  return { ok: true, value: steps };
};

/** The exit-rule variables (SPEC section 6 "Exits"), spread into the app's env schema. */
export const EXIT_ENV = {
  EXIT_TRAILING_STOP_PCT: exitVar(
    'trailing_stop_pct',
    'a fraction > 0 and < 1 (0.05 = sell 5 % below the best price) or off',
    undefined,
    number,
    null,
  ),
  EXIT_LADDER: exitVar(
    'ladder',
    'comma-separated gain:sell_fraction steps such as 0.05:0.25,0.10:0.5,0.20:1, or off',
    '0.05:0.25,0.10:0.5,0.20:1',
    ladder,
    [],
  ),
  EXIT_MAX_HOLDING_MINUTES: exitVar('max_holding_minutes', 'whole minutes >= 1 or off', undefined, number, null),
  EXIT_FLATTEN_BEFORE_CLOSE_MINUTES: exitVar(
    'flatten_before_close_minutes',
    'whole minutes before the close, 1 to 390, or off',
    undefined,
    number,
    null,
  ),
  EXIT_LADDER_FILL_TIMEOUT: exitVar('ladder_fill_timeout_seconds', 'whole seconds >= 1', '120', number, undefined),
};

/** The parsed exit variables as the engine's `ExitConfig` (the tolerance keeps its default). */
export const exitConfig = (e: z.output<z.ZodObject<typeof EXIT_ENV>>): ExitConfig =>
  ExitConfigSchema.parse({
    trailing_stop_pct: e.EXIT_TRAILING_STOP_PCT,
    ladder: e.EXIT_LADDER,
    max_holding_minutes: e.EXIT_MAX_HOLDING_MINUTES,
    flatten_before_close_minutes: e.EXIT_FLATTEN_BEFORE_CLOSE_MINUTES,
    ladder_fill_timeout_seconds: e.EXIT_LADDER_FILL_TIMEOUT,
  });
