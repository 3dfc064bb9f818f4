import { asc, eq, gt } from 'drizzle-orm';
import { facilitators, type FacilitatorRow } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';

/** `crm_id` and the linked account are the business's own data: admins see them, nobody else. */
export function facilitatorJson(row: FacilitatorRow, forAdmin: boolean) {
  const open = { id: row.id, name: row.name, bio: row.bio };
  return forAdmin ? { ...open, crm_id: row.crmId, user_id: row.userId } : open;
}

/** One page by id (`afterId`: the last id of the page before), `limit + 1` rows so the caller knows if more follow. */
export async function listFacilitators(db: Database, page: { limit: number; afterId?: number }) {
  return db
    .select()
    .from(facilitators)
    .where(page.afterId === undefined ? undefined : gt(facilitators.id, page.afterId))
    .orderBy(asc(facilitators.id))
    .limit(page.limit + 1);
}

export async function findFacilitator(db: Database, id: number) {
  const row = await db.query.facilitators.findFirst({ where: eq(facilitators.id, id) });
  if (!row) throw new ApiError('not_found', 'Facilitator not found');
  return row;
}
