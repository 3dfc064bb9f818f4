import { eq } from 'drizzle-orm';
import { passes } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import type { z } from 'zod';
import type { createPassBody, updatePassBody } from './schemas';

export async function createPass(db: Database, body: z.output<typeof createPassBody>) {
  const [row] = await db
    .insert(passes)
    .values({
      name: body.name,
      credits: body.unlimited ? null : body.credits!,
      unlimited: body.unlimited === true,
      price: body.price,
      currency: body.currency ?? 'INR',
      validDays: body.valid_days,
      eventTypes: body.event_types ?? null,
    })
    .returning();
  return row!;
}

/** Edits a product; what holders bought is theirs (their terms were copied at purchase). */
export async function updatePass(db: Database, id: number, changes: z.output<typeof updatePassBody>) {
  const [row] = await db
    .update(passes)
    .set({
      name: changes.name,
      price: changes.price,
      validDays: changes.valid_days,
      eventTypes: changes.event_types,
      active: changes.active,
      updatedAt: new Date(),
    })
    .where(eq(passes.id, id))
    .returning();
  if (!row) throw new ApiError('not_found', 'Pass not found');
  return row;
}

/** The products on sale, oldest first, at most 100. */
export async function activePasses(db: Database) {
  return db.query.passes.findMany({ where: eq(passes.active, true), orderBy: passes.id, limit: 100 });
}
