import { currentUser } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { factory } from '../../http/factory';

/**
 * For routes that act on one booking as its user (claim, transfer): 404 for an unknown booking and 403 for someone
 * else's, before the body is validated, so a stranger learns nothing of the body a route wants. Put it after the
 * `:id` param validator.
 */
export const ownBookingOnly = factory.createMiddleware(async (c, next) => {
  const row = await c.var.db.$client
    .prepare('SELECT user_id FROM bookings WHERE id = ?')
    .bind(Number(c.req.param('id')))
    .first<{ user_id: number }>();
  if (!row) throw new ApiError('not_found', 'Booking not found');
  if (row.user_id !== currentUser(c).id) throw new ApiError('forbidden', 'Only the booking’s user can do this');
  await next();
});
