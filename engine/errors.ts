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
