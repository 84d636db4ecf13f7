import { z } from 'zod';
import type { StrategyTypeInfo } from '../engine-api.js';
import type { DomainIssue } from '../errors.js';
import { levelBasedStrategy } from './level-based.strategy.js';
import { momentumStrategy } from './momentum.strategy.js';
import { rangeBoundStrategy } from './range-bound.strategy.js';
import type { BaseStrategyConfig, StrategyDefinition } from './strategy.js';

/** A strategy definition whose config and state types are erased, as the registry stores them. */
export type AnyStrategyDefinition = StrategyDefinition<BaseStrategyConfig, unknown>;

/** A validated config with every default filled; the strategy's own fields sit beside the base ones. */
export type ParsedStrategyConfig = BaseStrategyConfig & Readonly<Record<string, unknown>>;

export type ParseConfigResult =
  | { readonly ok: true; readonly config: ParsedStrategyConfig }
  | { readonly ok: false; readonly issues: readonly DomainIssue[] };

/**
 * The strategy types the engine can run. Lookups are by `type`; config issues carry paths rooted at
 * `config` (e.g. `config.timeframe`), and an unknown type is reported at `strategy_type`, matching
 * the HTTP body `{strategy_type, config}`.
 */
export interface StrategyRegistry {
  get(type: string): AnyStrategyDefinition | undefined;
  types(): readonly StrategyTypeInfo[];
  parseConfig(type: string, input: unknown): ParseConfigResult;
}

function issuePath(path: readonly PropertyKey[]): string {
  let out = 'config';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function toIssues(error: z.ZodError): DomainIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: `unknown field "${key}"` }))
      : [{ path: issuePath(issue.path), message: issue.message }],
  );
}

/**
 * Builds a registry over `definitions` (their `type`s must be unique). JSON Schemas are generated once
 * here from the zod schemas in input mode: fields with defaults are optional, as the user sends them.
 */
export function createStrategyRegistry(definitions: readonly AnyStrategyDefinition[]): StrategyRegistry {
  const byType = new Map<string, AnyStrategyDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`duplicate strategy type "${definition.type}"`);
    byType.set(definition.type, definition);
  }
  const infos: readonly StrategyTypeInfo[] = Object.freeze(
    definitions.map((d) => ({
      type: d.type,
      description: d.description,
      configSchema: z.toJSONSchema(d.configSchema, { io: 'input' }),
    })),
  );
  const known = [...byType.keys()].join(', ');
  return {
    get: (type) => byType.get(type),
    types: () => infos,
    parseConfig(type, input) {
      const definition = byType.get(type);
      if (definition === undefined) {
        return {
          ok: false,
          issues: [{ path: 'strategy_type', message: `unknown strategy type "${type}"; known: ${known}` }],
        };
      }
      const parsed = definition.configSchema.safeParse(input);
      if (!parsed.success) return { ok: false, issues: toIssues(parsed.error) };
      return { ok: true, config: parsed.data as ParsedStrategyConfig };
    },
  };
}

/** The engine's strategies. */
export const strategyRegistry: StrategyRegistry = createStrategyRegistry([
  momentumStrategy as AnyStrategyDefinition,
  rangeBoundStrategy as AnyStrategyDefinition,
  levelBasedStrategy as AnyStrategyDefinition,
]);
