import { and, eq, notExists, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { isForeignKeyViolation, isUniqueViolation, messageOf } from '../../db/errors';
import { facilitators, users } from '../../db/schema';
import { findFacilitator } from './read-model';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import type { FacilitatorChanges, NewFacilitator } from './schemas';

/** A member linked to a facilitator becomes `facilitator`; an admin keeps `admin`, which already allows everything. */
function promote(db: Database, userId: number, now: Date) {
  return db
    .update(users)
    .set({ role: 'facilitator', updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.role, 'member')));
}

/** An account no facilitator links any more goes back to `member` (runs after the facilitator row changed). */
function demoteIfUnlinked(db: Database, userId: number, now: Date) {
  return db
    .update(users)
    .set({ role: 'member', updatedAt: now })
    .where(
      and(
        eq(users.id, userId),
        eq(users.role, 'facilitator'),
        notExists(
          db
            .select({ one: sql`1` })
            .from(facilitators)
            .where(eq(facilitators.userId, userId)),
        ),
      ),
    );
}

/** The database decides uniqueness and whether the account exists; these are its answers in the contract's terms. */
function translate(error: unknown): never {
  const message = messageOf(error);
  if (isUniqueViolation(error) && message.includes('crm_id'))
    throw new ApiError('crm_id_taken', 'Another facilitator has this crm_id');
  if (isUniqueViolation(error) && message.includes('user_id')) {
    throw new ApiError('user_already_facilitator', 'This account is already linked to another facilitator');
  }
  if (isForeignKeyViolation(error)) throw new ApiError('user_not_found', 'No account has this user_id');
  throw error;
}

export async function createFacilitator(db: Database, input: NewFacilitator) {
  const now = new Date();
  const insert = db
    .insert(facilitators)
    .values({ name: input.name, crmId: input.crm_id, bio: input.bio ?? null, userId: input.user_id ?? null })
    .returning();
  try {
    const [rows] = input.user_id ? await db.batch([insert, promote(db, input.user_id, now)]) : [await insert];
    return rows[0]!;
  } catch (error) {
    translate(error);
  }
}

export async function updateFacilitator(db: Database, id: number, changes: FacilitatorChanges) {
  const current = await findFacilitator(db, id);
  const now = new Date();
  const relinking = changes.user_id !== undefined && changes.user_id !== current.userId;
  const statements: [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]] = [
    db
      .update(facilitators)
      .set({ name: changes.name, crmId: changes.crm_id, bio: changes.bio, userId: changes.user_id, updatedAt: now })
      .where(eq(facilitators.id, id)),
  ];
  if (relinking && changes.user_id) statements.push(promote(db, changes.user_id, now));
  if (relinking && current.userId) statements.push(demoteIfUnlinked(db, current.userId, now));
  try {
    await db.batch(statements);
  } catch (error) {
    translate(error);
  }
  return findFacilitator(db, id);
}
