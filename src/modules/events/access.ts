import { eq } from 'drizzle-orm';
import { facilitators } from '../../db/schema';
import type { CurrentUser, Database } from '../../env';
import { ApiError } from '../../http/errors';

/** The facilitator record linked to this account, if any. */
export async function facilitatorIdOf(db: Database, user: CurrentUser): Promise<number | null> {
  if (user.role !== 'facilitator' && user.role !== 'admin') return null;
  const row = await db.query.facilitators.findFirst({ columns: { id: true }, where: eq(facilitators.userId, user.id) });
  return row?.id ?? null;
}

/** Admins manage every event; a facilitator only its own; everyone else nothing. */
export async function assertCanManageEvent(db: Database, user: CurrentUser, event: { facilitatorId: number }) {
  if (user.role === 'admin') return;
  if (user.role === 'facilitator' && (await facilitatorIdOf(db, user)) === event.facilitatorId) return;
  throw new ApiError('forbidden', 'Only an admin or the event’s facilitator can do this');
}

/**
 * Which facilitator an event created or moved by `user` belongs to. Admins choose (facilitator_id is required
 * on create); a facilitator may only name itself.
 */
export async function owningFacilitatorId(
  db: Database,
  user: CurrentUser,
  requested: number | undefined,
): Promise<number | undefined> {
  if (user.role === 'admin') return requested;
  const own = user.role === 'facilitator' ? await facilitatorIdOf(db, user) : null;
  if (own === null) throw new ApiError('forbidden', 'Only an admin or a facilitator can manage events');
  if (requested !== undefined && requested !== own)
    throw new ApiError('forbidden', 'A facilitator cannot manage events of another facilitator');
  return own;
}
