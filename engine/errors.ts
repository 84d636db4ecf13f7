import type { z } from 'zod';

/**
 * The one error class that crosses from the engine to the edges. `code` maps to an HTTP status in
 * `http/` (validation 400, not_found 404, conflict 409, risk_rejected 422, not_connected 503 ...).
 */
export type DomainErrorCode =
  'validation_error' | 'unauthorized' | 'not_found' | 'conflict' | 'risk_rejected' | 'not_connected' | 'unavailable';

export interface DomainIssue {
  readonly path: string;
  readonly message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: readonly DomainIssue[] = [],
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** A zod failure as `{path, message}` issues (path segments joined with dots; '' for the whole input). */
export const zodIssues = (err: z.core.$ZodError): DomainIssue[] =>
  err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/**
 * Parses options a programmer passes in (not user input: that gets a DomainError): the value with
 * defaults filled, or an Error naming `label` and every issue as `path: message`.
 */
export const parseOrThrow = <S extends z.ZodType>(schema: S, label: string, input: unknown): z.output<S> => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error).map((i) => `${i.path || '(options)'}: ${i.message}`);
  throw new Error(`Invalid ${label}: ${issues.join('; ')}`);
};
