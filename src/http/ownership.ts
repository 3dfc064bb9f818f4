import { currentUser } from './auth';
import { ApiError } from './errors';
import { factory } from './factory';

/**
 * For routes that act on one row of the caller's (a booking to claim or transfer, a purchase to confirm): 404 for an
 * unknown `:id` and 403 for someone else's, before the body is validated, so a stranger learns nothing of the body a
 * route wants. `ownerSql` selects the owner as `user_id` by `?` (the id); put it after the `:id` param validator.
 */
export function ownerOnly(ownerSql: string, what: string) {
  return factory.createMiddleware(async (c, next) => {
    const row = await c
      .get('db')
      .$client.prepare(ownerSql)
      .bind(Number(c.req.param('id')))
      .first<{ user_id: number }>();
    if (!row) throw new ApiError('not_found', `${what} not found`);
    if (row.user_id !== currentUser(c).id) throw new ApiError('forbidden', `This ${what.toLowerCase()} is not yours`);
    await next();
  });
}
