import type Koa from 'koa';

/**
 * Gives unmatched requests a JSON body: 404 for unknown paths, 405 (with `Allow`, set by the router)
 * for a known path with another method.
 */
export const jsonNotFound = (): Koa.Middleware => async (ctx, next) => {
  await next();
  if (ctx.body !== undefined && ctx.body !== null) return;
  if (ctx.status === 404) {
    ctx.status = 404;
    ctx.body = { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` };
  } else if (ctx.status === 405) {
    ctx.status = 405;
    ctx.body = { error: 'method_not_allowed', message: `${ctx.method} is not allowed on ${ctx.path}` };
  }
};
