import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import { DomainError } from '../../engine/errors.js';
import { MUTATING_METHODS as BODY_METHODS } from './auth.js';

const hasBody = (ctx: Koa.Context): boolean => ctx.get('Transfer-Encoding') !== '' || (ctx.request.length ?? 0) > 0;

/** Refuses a non-empty body that is not declared as JSON (curl's `-d` alone sends a form type). */
const requireJsonType = (): Koa.Middleware => async (ctx, next) => {
  if (BODY_METHODS.includes(ctx.method) && hasBody(ctx) && !ctx.is('application/json', '+json')) {
    throw new DomainError('validation_error', 'request body must be JSON: send Content-Type: application/json');
  }
  await next();
};

/** co-body reports unparsable JSON as a SyntaxError; raw-body errors (size, encoding) pass through. */
const parseError = (err: Error): Error =>
  err instanceof SyntaxError ? new DomainError('validation_error', `malformed JSON body: ${err.message}`) : err;

/**
 * JSON-only body parsing with a size limit. Malformed JSON and a wrong content type become 400
 * validation_error; a body over the limit becomes 413 (see the error handler). Requests without a
 * body get `{}`.
 */
export const jsonBody = (limit: string): Koa.Middleware[] => [
  requireJsonType(),
  bodyParser({
    enableTypes: ['json'],
    jsonLimit: limit,
    jsonStrict: true,
    parsedMethods: BODY_METHODS,
    onError: (err) => {
      throw parseError(err);
    },
  }),
];
