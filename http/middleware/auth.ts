import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { DomainError } from '../../engine/errors.js';

/** Methods that change state; they need the token and are the ones that carry a JSON body. */
export const MUTATING_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const MUTATING = new Set(MUTATING_METHODS);

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashing first makes the lengths equal, so length leaks nothing either). */
export const tokenMatches = (given: string | undefined, expected: string): boolean =>
  given !== undefined && timingSafeEqual(digest(given), digest(expected));

/** The token of an `Authorization: Bearer <token>` header, if that is what the header holds. */
export const bearerToken = (header: string | undefined): string | undefined => {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
};

/**
 * With a configured token, every mutating request needs `Authorization: Bearer <token>`; reads stay
 * open (SPEC section 10). Without a token this is a no-op (the server then listens on loopback only).
 */
export const auth =
  (token: string | undefined): Koa.Middleware =>
  async (ctx, next) => {
    if (
      token !== undefined &&
      MUTATING.has(ctx.method) &&
      !tokenMatches(bearerToken(ctx.get('Authorization')), token)
    ) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new DomainError('unauthorized', 'a valid "Authorization: Bearer <token>" header is required');
    }
    await next();
  };
