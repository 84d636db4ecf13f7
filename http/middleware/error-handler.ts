import type Koa from 'koa';
import { z } from 'zod';
import { DomainError, type DomainErrorCode, zodIssues } from '../../engine/errors.js';
import type { HttpLogger } from '../logger.js';

/** The one code-to-status table (SPEC section 10). */
const STATUS_BY_CODE: Readonly<Record<DomainErrorCode, number>> = {
  validation_error: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  risk_rejected: 422,
  not_connected: 503,
  unavailable: 503,
};

/** Keys a DomainError's details may not overwrite in the response body. */
const RESERVED = new Set(['error', 'message', 'issues', 'request_id']);

const domainBody = (err: DomainError): Record<string, unknown> => {
  const details = Object.fromEntries(Object.entries(err.details).filter(([k]) => !RESERVED.has(k)));
  return {
    ...details,
    error: err.code,
    message: err.message,
    ...(err.issues.length > 0 ? { issues: err.issues } : {}),
  };
};

/** Errors of the body parser (co-body / raw-body) carry an HTTP status and a `type`. */
const isClientHttpError = (err: unknown): err is Error & { status: number; type?: string } => {
  const status: unknown = err instanceof Error ? (err as Error & { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
};

const clientErrorMessage = (err: { status: number; type?: string }): string => {
  if (err.type === 'entity.too.large') return 'request body is too large';
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return 'unsupported request body encoding';
  }
  return 'malformed request';
};

/** Translates a thrown value to `[status, body]`; undefined means "unexpected" (500). */
const toHttpError = (err: unknown): [number, Record<string, unknown>] | undefined => {
  if (err instanceof DomainError) return [STATUS_BY_CODE[err.code], domainBody(err)];
  if (err instanceof z.core.$ZodError) {
    return [400, { error: 'validation_error', message: 'invalid request', issues: zodIssues(err) }];
  }
  if (isClientHttpError(err)) {
    const status = err.status === 413 ? 413 : 400;
    return [status, { error: 'validation_error', message: clientErrorMessage(err) }];
  }
  return undefined;
};

/**
 * Outermost error boundary: expected failures become `{error, message, issues?, ...details}` with
 * the table's status; anything else is a 500 with only the request id, logged with its stack.
 * Responses never carry stacks, causes or raw error text of unexpected errors.
 */
export const errorHandler =
  (logger: HttpLogger): Koa.Middleware =>
  async (ctx, next) => {
    try {
      await next();
    } catch (err: unknown) {
      const mapped = toHttpError(err);
      const requestId = String(ctx.state['requestId'] ?? '');
      if (mapped) {
        [ctx.status, ctx.body] = mapped;
        logger.debug({ request_id: requestId, status: ctx.status, code: mapped[1]['error'] }, 'request refused');
        return;
      }
      const e = err instanceof Error ? err : new Error(String(err));
      logger.error(
        { request_id: requestId, method: ctx.method, path: ctx.path, err: { message: e.message, stack: e.stack } },
        'unhandled error in request',
      );
      ctx.status = 500;
      ctx.body = { error: 'internal_error', message: 'internal error', request_id: requestId };
    }
  };
