import { isUniqueViolation } from '../../db/errors';
import { users } from '../../db/schema';
import type { Database } from '../../env';
import { ApiError } from '../../http/errors';
import { hashPassword } from './passwords';
import { normaliseEmail } from './read-model';

/** A new member; the unique index on the normalised email decides a race between two sign-ups. */
export async function registerUser(db: Database, input: { name: string; email: string; password: string }) {
  const record = await hashPassword(input.password);
  try {
    const [user] = await db
      .insert(users)
      .values({
        name: input.name,
        email: normaliseEmail(input.email),
        passwordAlgorithm: record.algorithm,
        passwordIterations: record.iterations,
        passwordSalt: record.salt,
        passwordHash: record.hash,
      })
      .returning();
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError('email_taken', 'An account with this email already exists');
    throw error;
  }
}
