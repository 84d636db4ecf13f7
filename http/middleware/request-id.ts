import { randomUUID } from 'node:crypto';
import type Koa from 'koa';

/** Accept a caller's id only when it is short and plain, so it is safe to echo and to log. */
const SAFE_ID = /^[\w.:-]{1,128}$/;

/** Sets `ctx.state.requestId` (the caller's `X-Request-Id` or a fresh UUID) and echoes it. */
export const requestId = (): Koa.Middleware => async (ctx, next) => {
  const given = ctx.get('X-Request-Id');
  const id = SAFE_ID.test(given) ? given : randomUUID();
  ctx.state['requestId'] = id;
  ctx.set('X-Request-Id', id);
  await next();
};
